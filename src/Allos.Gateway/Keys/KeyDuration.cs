using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Allos.Gateway.Server.Keys;

/// <summary>A duration as LiteLLM writes it: a whole number and a unit, <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>30d</c>, <c>2w</c> or <c>1mo</c>.</summary>
internal readonly record struct KeyDuration(int Count, string Unit)
{
    public const string Format = "a whole number and a unit: s, m, h, d, w or mo (30s, 15m, 1h, 30d, 2w, 1mo)";

    public static bool TryParse(string? text, [NotNullWhen(true)] out KeyDuration? duration)
    {
        duration = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        string unit = text[digits..];
        if (digits == 0 || unit is not ("s" or "m" or "h" or "d" or "w" or "mo")
            || !int.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count == 0)
        {
            return false;
        }

        duration = new KeyDuration(count, unit);
        return true;
    }

    /// <summary>Returns the time one duration after <paramref name="start"/> (months are calendar months).</summary>
    public DateTimeOffset After(DateTimeOffset start) => Unit switch
    {
        "s" => start.AddSeconds(Count),
        "m" => start.AddMinutes(Count),
        "h" => start.AddHours(Count),
        "d" => start.AddDays(Count),
        "w" => start.AddDays(7.0 * Count),
        _ => start.AddMonths(Count),
    };

    public override string ToString() => Count.ToString(CultureInfo.InvariantCulture) + Unit;
}
