using System.Globalization;

namespace Allos.Cli.Admin;

/// <summary>Reads <c>--since</c>: a span back from now (<c>30m</c>, <c>12h</c>, <c>7d</c>, <c>2w</c>), a UTC date (<c>2026-11-01</c>), a full timestamp, <c>today</c> or <c>all</c>.</summary>
internal static class SinceParser
{
    public const string Help = "7d, 12h, 30m, 2w (back from now), a UTC date such as 2026-11-01, an ISO time, today, or all";

    /// <summary>Returns the start time (UTC), <see langword="null"/> for <c>all</c>, or <see langword="false"/> when the text is none of the forms.</summary>
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset? since)
    {
        since = null;
        string value = text.Trim().ToLowerInvariant();
        if (value is "all" or "ever")
        {
            return true;
        }

        if (value == "today")
        {
            since = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
            return true;
        }

        if (value.Length >= 2 && double.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount) && amount >= 0)
        {
            TimeSpan? span = value[^1] switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                'w' => TimeSpan.FromDays(7 * amount),
                _ => null,
            };
            if (span is TimeSpan back)
            {
                since = now - back;
                return true;
            }
        }

        // A bare date is a UTC day, like the days of `--by day`.
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            since = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            since = time.ToUniversalTime();
            return true;
        }

        return false;
    }
}
