using System.Globalization;
using System.Net.Http.Headers;

namespace Allos.Providers.Http;

/// <summary>Reads how long a provider asked us to wait, from the headers every provider family uses.</summary>
internal static class RetryAfterParser
{
    /// <summary>
    /// The longest hint kept: a longer one (<c>retry-after: 1e15</c>, a reset centuries away) is read as this, so it
    /// neither overflows <see cref="TimeSpan"/> nor a clock adding it, and the Router still sees it exceeds its limit.
    /// </summary>
    internal static readonly TimeSpan MaxHint = TimeSpan.FromDays(30);

    private static readonly string[] ResetDurationHeaders = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"];

    private static readonly string[] ResetTimestampHeaders =
    [
        "anthropic-ratelimit-requests-reset",
        "anthropic-ratelimit-tokens-reset",
        "anthropic-ratelimit-input-tokens-reset",
        "anthropic-ratelimit-output-tokens-reset",
    ];

    /// <summary>
    /// Order of trust: <c>retry-after-ms</c>, then <c>retry-after</c> (seconds or HTTP date), then the provider's reset
    /// headers (OpenAI durations such as <c>1m30s</c>, Anthropic RFC 3339 timestamps), taking the latest reset.
    /// </summary>
    public static TimeSpan? Parse(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (TryGet(headers, "retry-after-ms", out string? ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double millis) && millis >= 0)
        {
            return FromMilliseconds(millis);
        }

        if (TryGet(headers, "retry-after", out string? retryAfter))
        {
            if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0)
            {
                return FromMilliseconds(seconds * 1000);
            }

            if (DateTimeOffset.TryParseExact(retryAfter, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date))
            {
                return Clamp(date - now);
            }
        }

        TimeSpan? latest = null;
        foreach (string name in ResetDurationHeaders)
        {
            if (TryGet(headers, name, out string? value) && TryParseDuration(value, out TimeSpan wait))
            {
                latest = Max(latest, wait);
            }
        }

        foreach (string name in ResetTimestampHeaders)
        {
            if (TryGet(headers, name, out string? value)
                && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset reset))
            {
                latest = Max(latest, Clamp(reset - now));
            }
        }

        return latest;
    }

    /// <summary>Parses Go-style durations as OpenAI sends them (<c>12ms</c>, <c>6s</c>, <c>1m30s</c>, <c>1h2m</c>) and protobuf durations (<c>34.4s</c>).</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim();
        double totalMs = 0;
        bool any = false;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(s[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            s = s[i..];
            double unitMs;
            if (s.StartsWith("ms"))
            {
                unitMs = 1;
                s = s[2..];
            }
            else if (s.StartsWith("h"))
            {
                unitMs = 3_600_000;
                s = s[1..];
            }
            else if (s.StartsWith("m"))
            {
                unitMs = 60_000;
                s = s[1..];
            }
            else if (s.StartsWith("s"))
            {
                unitMs = 1_000;
                s = s[1..];
            }
            else
            {
                return false;
            }

            totalMs += number * unitMs;
            any = true;
        }

        duration = FromMilliseconds(totalMs);
        return any;
    }

    private static bool TryGet(HttpResponseHeaders headers, string name, out string? value)
    {
        value = headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
        return !string.IsNullOrWhiteSpace(value);
    }

    private static TimeSpan Clamp(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value > MaxHint ? MaxHint : value;

    /// <summary>Milliseconds as a hint, clamped to [0, <see cref="MaxHint"/>] (infinity and overflowing values included).</summary>
    private static TimeSpan FromMilliseconds(double millis) =>
        double.IsNaN(millis) || millis <= 0 ? TimeSpan.Zero
        : millis >= MaxHint.TotalMilliseconds ? MaxHint
        : TimeSpan.FromMilliseconds(millis);

    private static TimeSpan Max(TimeSpan? a, TimeSpan b) => a is TimeSpan x && x > b ? x : b;
}
