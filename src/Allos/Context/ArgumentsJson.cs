using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Allos.Context;

/// <summary>
/// The length of a tool call's arguments written as compact JSON, computed without writing it, for the usual values
/// (strings, numbers, booleans, nulls, JSON elements). The character estimate needs only this length; serializing every
/// call's arguments to measure them was most of the cost of estimating a long history.
/// </summary>
internal static class ArgumentsJson
{
    /// <summary>The compact JSON length of <paramref name="arguments"/>, or <see langword="null"/> when a value is of another type (serialize it then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long? Length(IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            return 2;
        }

        long length = 2 + Math.Max(0, arguments.Count - 1); // braces and commas
        if (arguments is Dictionary<string, object?> dictionary)
        {
            // The struct enumerator: no allocation.
            foreach (KeyValuePair<string, object?> pair in dictionary)
            {
                if (ValueLength(pair.Value) is not long value)
                {
                    return null;
                }

                length += StringLength(pair.Key) + 1 + value;
            }

            return length;
        }

        foreach (KeyValuePair<string, object?> pair in arguments)
        {
            if (ValueLength(pair.Value) is not long value)
            {
                return null;
            }

            length += StringLength(pair.Key) + 1 + value;
        }

        return length;
    }

    private static long? ValueLength(object? value)
    {
        Span<char> digits = stackalloc char[32];
        switch (value)
        {
            case null:
                return 4;
            case string text:
                return StringLength(text);
            case bool flag:
                return flag ? 4 : 5;
            case JsonElement element when element.ValueKind != JsonValueKind.Undefined:
                // Its raw text: exact for compact JSON without escapes, close otherwise (the serializer re-escapes and drops whitespace).
                return JsonMarshal.GetRawUtf8Value(element).Length;
            case int or long or short or byte or sbyte or ushort or uint or ulong or double or float or decimal:
                return ((ISpanFormattable)value).TryFormat(digits, out int written, default, CultureInfo.InvariantCulture) ? written : null;
            default:
                return null;
        }
    }

    // Quotes, plus the escapes the serializer's default encoder writes: \\, \n and the like as two characters; other
    // controls, the quote, HTML-sensitive characters and everything outside ASCII as six (\u0022).
    private static long StringLength(string text)
    {
        long length = text.Length + 2;
        foreach (char c in text)
        {
            if (c is '\\' or '\n' or '\r' or '\t' or '\b' or '\f')
            {
                length++;
            }
            else if (c < ' ' || c > '~' || c is '"' or '<' or '>' or '&' or '\'' or '+' or '`')
            {
                length += 5;
            }
        }

        return length;
    }
}
