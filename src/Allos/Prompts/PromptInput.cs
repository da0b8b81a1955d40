using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Allos.Prompts;

/// <summary>An input a prompt declares: its name, type, whether it is required, and its default.</summary>
public sealed class PromptInput
{
    internal PromptInput(string name, PromptInputType type, bool required, object? defaultValue, string? description, int line)
    {
        Name = name;
        Type = type;
        Required = required;
        Default = defaultValue;
        Description = description;
        Line = line;
    }

    /// <summary>Gets the name the template uses (<c>{{name}}</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the type a value must have.</summary>
    public PromptInputType Type { get; }

    /// <summary>Gets whether a render must give a value.</summary>
    public bool Required { get; }

    /// <summary>Gets the value used when a render gives none, already of <see cref="Type"/>; <see langword="null"/> when there is none.</summary>
    public object? Default { get; }

    /// <summary>Gets what the input is for.</summary>
    public string? Description { get; }

    /// <summary>Gets the line of the prompt file that declares the input.</summary>
    public int Line { get; }

    /// <summary>Gets the type's name as front matter writes it.</summary>
    public string TypeName => TypeNames[Type];

    internal static readonly IReadOnlyDictionary<PromptInputType, string> TypeNames = new Dictionary<PromptInputType, string>
    {
        [PromptInputType.String] = "string",
        [PromptInputType.Integer] = "integer",
        [PromptInputType.Number] = "number",
        [PromptInputType.Boolean] = "boolean",
        [PromptInputType.Array] = "array",
        [PromptInputType.Object] = "object",
    };

    /// <summary>
    /// Converts <paramref name="value"/> to this input's type, as the template engine reads it: strings, booleans,
    /// <see cref="long"/>s, <see cref="double"/>s, lists and string-keyed dictionaries. Text (a command-line <c>--var</c>,
    /// a YAML scalar) is parsed; a typed value (a JSON value, a CLR object) must already be of the type.
    /// </summary>
    /// <returns><see langword="false"/> with the reason in <paramref name="error"/> when it cannot be.</returns>
    internal bool TryConvert(object? value, out object? converted, out string? error)
    {
        converted = null;
        error = null;
        if (value is JsonElement json)
        {
            value = FromJson(json);
        }

        if (value is null)
        {
            error = "is null";
            return false;
        }

        switch (Type, value)
        {
            case (PromptInputType.String, string text):
                converted = text;
                return true;
            case (PromptInputType.Boolean, bool flag):
                converted = flag;
                return true;
            case (PromptInputType.Boolean, string text):
                converted = text.Trim().ToLowerInvariant() switch { "true" or "yes" or "on" => true, "false" or "no" or "off" => false, _ => null };
                break;
            case (PromptInputType.Integer, string text):
                converted = long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole) ? whole : null;
                break;
            case (PromptInputType.Integer, int or long or short or byte or sbyte or ushort or uint):
                converted = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            case (PromptInputType.Integer, double or float or decimal) when IsWhole(Convert.ToDouble(value, CultureInfo.InvariantCulture)):
                converted = (long)Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            case (PromptInputType.Number, string text):
                converted = double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number) ? number : null;
                break;
            case (PromptInputType.Number, int or long or short or byte or sbyte or ushort or uint or double or float or decimal):
                converted = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            case (PromptInputType.Array or PromptInputType.Object, string text):
                converted = ParseJson(text);
                break;
            case (PromptInputType.Object, IDictionary dictionary):
                converted = Normalize(dictionary);
                return true;
            case (PromptInputType.Array, IEnumerable items):
                converted = Normalize(items);
                return true;
        }

        bool ok = converted is not null && (Type != PromptInputType.Array || converted is List<object?>) && (Type != PromptInputType.Object || converted is Dictionary<string, object?>);
        if (!ok)
        {
            converted = null;
            error = value is string s ? $"must be {Article(Type)}, not '{Shorten(s)}'" : $"must be {Article(Type)}, not {Describe(value)}";
        }

        return ok;
    }

    private static string Article(PromptInputType type) => type switch
    {
        PromptInputType.Integer => "an integer (a whole number)",
        PromptInputType.Array => "an array (a JSON list such as [\"a\", \"b\"])",
        PromptInputType.Object => "an object (a JSON object such as {\"key\": \"value\"})",
        PromptInputType.Boolean => "a boolean (true or false)",
        _ => $"a {TypeNames[type]}",
    };

    private static string Describe(object value) => value switch
    {
        bool => "a boolean",
        int or long or short or byte or double or float or decimal => "a number",
        IDictionary => "an object",
        IEnumerable => "an array",
        _ => $"a {value.GetType().Name}",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");

    private static bool IsWhole(double value) => double.IsFinite(value) && Math.Floor(value) == value && Math.Abs(value) < 9e15;

    private static object? ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return FromJson(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A JSON value as the plain objects the template engine reads.</summary>
    internal static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => json.TryGetInt64(out long whole) ? whole : json.GetDouble(),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => json.EnumerateObject().ToDictionary(property => property.Name, property => FromJson(property.Value), StringComparer.Ordinal),
        _ => null,
    };

    private static Dictionary<string, object?> Normalize(IDictionary dictionary)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = Normalize(entry.Value);
        }

        return result;
    }

    private static List<object?> Normalize(IEnumerable items)
    {
        var result = new List<object?>();
        foreach (object? item in items)
        {
            result.Add(Normalize(item));
        }

        return result;
    }

    private static object? Normalize(object? value) => value switch
    {
        JsonElement json => FromJson(json),
        string => value,
        IDictionary dictionary => Normalize(dictionary),
        IEnumerable items => Normalize(items),
        _ => value,
    };
}
