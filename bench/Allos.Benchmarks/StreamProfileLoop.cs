using System.Diagnostics;

namespace Allos.Benchmarks;

/// <summary>
/// Runs one format's Allos stream (or, with <c>whole</c>, whole call) in a loop, for a profiler
/// (<c>dotnet-trace collect -- dotnet … profile gemini 15 [whole]</c>).
/// </summary>
internal static class StreamProfileLoop
{
    public static async Task RunAsync(string provider, double seconds, bool whole = false)
    {
        var b = new SdkComparisonBenchmarks { Provider = provider };
        b.Setup();
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            _ = whole ? await b.WholeAllos() : (await b.StreamAllos()).ToString(System.Globalization.CultureInfo.InvariantCulture);
            n++;
        }

        Console.WriteLine($"{n} streams, {sw.Elapsed.TotalMicroseconds / n:F1} us each");
        b.Cleanup();
    }
}
