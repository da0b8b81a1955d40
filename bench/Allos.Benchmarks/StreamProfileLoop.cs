using System.Diagnostics;

namespace Allos.Benchmarks;

/// <summary>Runs one format's Allos stream in a loop, for a profiler (<c>dotnet-trace collect -- dotnet … profile gemini 15</c>).</summary>
internal static class StreamProfileLoop
{
    public static async Task RunAsync(string provider, double seconds)
    {
        var b = new SdkComparisonBenchmarks { Provider = provider };
        b.Setup();
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await b.StreamAllos();
            n++;
        }

        Console.WriteLine($"{n} streams, {sw.Elapsed.TotalMicroseconds / n:F1} us each");
        b.Cleanup();
    }
}
