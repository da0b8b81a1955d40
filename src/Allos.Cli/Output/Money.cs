using System.Globalization;

namespace Allos.Cli.Output;

/// <summary>
/// The one way the CLI shows an amount in US dollars: cents for a dollar or more, four decimals below that, and two
/// significant digits for less than a cent, so a single cheap call reads <c>$0.000027</c>, never <c>$0</c>.
/// </summary>
internal static class Money
{
    /// <summary>Formats <paramref name="cost"/> with its dollar sign, or "cost unknown".</summary>
    public static string Format(decimal? cost) => cost is decimal value ? "$" + Amount(value) : "cost unknown";

    /// <summary>Formats <paramref name="value"/> without the dollar sign (tables with a "USD" heading, charts).</summary>
    public static string Amount(decimal value)
    {
        decimal magnitude = Math.Abs(value);
        if (magnitude == 0)
        {
            return "0";
        }

        if (magnitude >= 1)
        {
            return value.ToString("#,0.00", CultureInfo.InvariantCulture);
        }

        if (magnitude >= 0.01m)
        {
            return value.ToString("0.00##", CultureInfo.InvariantCulture);
        }

        // Two significant digits: the decimals needed to reach the first non-zero digit, plus one.
        int decimals = 2;
        for (decimal scaled = magnitude * 100; scaled < 1 && decimals < 27; scaled *= 10)
        {
            decimals++;
        }

        return Math.Round(value, decimals + 1, MidpointRounding.AwayFromZero).ToString("0." + new string('#', decimals + 1), CultureInfo.InvariantCulture);
    }
}
