using System.Diagnostics;

namespace Allos.Benchmarks;

/// <summary>
/// An interleaved A/B of SdkComparisonBenchmarks in seconds (best of five rounds; exact allocations), for development:
/// BenchmarkDotNet gives the figures. <c>stream</c> runs the floor (and reading whole events), Allos and Allos via the Router; <c>whole</c> and
/// <c>history</c> the floor, Allos and the official SDK where one is served.
/// </summary>
internal static class QuickStreamComparison
{
    public static async Task RunAsync(string provider, int iterations, string benchmark)
    {
        var b = new SdkComparisonBenchmarks { Provider = provider };
        b.Setup();
        (string Name, Func<Task> Run)[] cases = benchmark switch
        {
            "whole" => [("floor", b.WholeFloor), ("allos", b.WholeAllos), .. Sdk(provider, b.WholeSdk)],
            "history" => [("floor", b.HistoryFloor), ("allos", b.HistoryAllos), .. Sdk(provider, b.HistorySdk)],
            _ => [("floor", b.StreamFloor), ("floor-w", b.StreamFloorWholeEvents), ("floor-u", b.StreamFloorUpdates), ("allos", b.StreamAllos), ("router", b.StreamRouter)],
        };
        foreach ((string _, Func<Task> run) in cases)
        {
            for (int i = 0; i < 500; i++)
            {
                await run();
            }
        }

        double[] times = new double[cases.Length];
        double[] allocs = new double[cases.Length];
        for (int round = 0; round < 5; round++)
        {
            for (int k = 0; k < cases.Length; k++)
            {
                long a0 = GC.GetTotalAllocatedBytes(true);
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < iterations; i++)
                {
                    await cases[k].Run();
                }

                sw.Stop();
                long a1 = GC.GetTotalAllocatedBytes(true);
                double us = sw.Elapsed.TotalMicroseconds / iterations;
                times[k] = round == 0 ? us : Math.Min(times[k], us);
                allocs[k] = (a1 - a0) / (double)iterations;
            }
        }

        for (int k = 0; k < cases.Length; k++)
        {
            Console.WriteLine($"{benchmark,-8} {provider,-9} {cases[k].Name,-7} {times[k],8:F1} us ({times[k] / times[0],4:F2}x)  {allocs[k] / 1024,7:F1} KB ({allocs[k] / allocs[0],4:F2}x)");
        }

        b.Cleanup();
    }

    private static (string, Func<Task>)[] Sdk(string provider, Func<Task> run) => provider == "gemini" ? [] : [("sdk", run)];
}
