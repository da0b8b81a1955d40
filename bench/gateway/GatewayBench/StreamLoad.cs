using System.Diagnostics;

namespace Allos.Bench.Gateway;

/// <summary>
/// The two stream loads: a burst (<c>--streams</c> streams started at the same instant, the worst case for the first
/// frame) and a steady load (<c>--streams</c> streams kept open, each started when another ends, so starts are spread
/// as on a busy server). Each is run against the upstream directly and through the server in turn.
/// </summary>
internal static class StreamLoad
{
    private static readonly TimeSpan SteadyWindow = TimeSpan.FromSeconds(5);

    /// <summary><c>--stream-rounds</c> bursts each way, interleaved; prints the server's CPU per stream.</summary>
    public static async Task<(StreamTimes Direct, StreamTimes Target)> BurstsAsync(HttpClient client, LoadSettings settings, BenchTarget direct, BenchTarget target, Counter errors)
    {
        var directTimes = new StreamTimes(settings);
        var targetTimes = new StreamTimes(settings);
        double cpu = 0;
        for (int round = 0; round < settings.StreamRounds; round++)
        {
            await RoundAsync(client, settings, direct, directTimes, errors);
            double? before = target.CpuSeconds();
            await RoundAsync(client, settings, target, targetTimes, errors);
            cpu += (target.CpuSeconds() - before) ?? 0;
        }

        if (targetTimes.Count > 0 && target.CpuSeconds() is not null)
        {
            // Printed, not tabled: /proc counts in 10 ms ticks, so a round of 100 streams is read to ±100 µs a stream.
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {cpu * 1e6 / targetTimes.Count:F0} µs of server CPU per stream");
        }

        return (directTimes, targetTimes);
    }

    /// <summary>One burst: <c>--streams</c> concurrent streams started at once, each timed into <paramref name="into"/>.</summary>
    public static async Task RoundAsync(HttpClient client, LoadSettings settings, BenchTarget server, StreamTimes into, Counter errors)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, settings.Streams).Select(_ => TimedAsync(client, server, errors)));
        foreach ((double ttft, double gap, int frames) in results)
        {
            into.Add(ttft, gap, frames, errors);
        }
    }

    /// <summary><c>--steady-rounds</c> windows of 5 s each way, interleaved, of <c>--streams</c> streams kept open.</summary>
    public static async Task<(StreamTimes Direct, StreamTimes Target)> SteadyAsync(HttpClient client, LoadSettings settings, BenchTarget direct, BenchTarget target, Counter errors)
    {
        var directTimes = new StreamTimes(settings);
        var targetTimes = new StreamTimes(settings);
        for (int round = 0; round < settings.SteadyRounds; round++)
        {
            await WindowAsync(client, settings, direct, directTimes, errors);
            await WindowAsync(client, settings, target, targetTimes, errors);
        }

        return (directTimes, targetTimes);
    }

    // Worker i starts its first stream i/n of one stream's length in, then the next as soon as one ends. Streams begun in
    // the first stream length (while workers are still coming in) and those still open at the end are not counted.
    private static async Task WindowAsync(HttpClient client, LoadSettings settings, BenchTarget server, StreamTimes into, Counter errors)
    {
        long probe = Stopwatch.GetTimestamp();
        await TimedAsync(client, server, errors);
        TimeSpan length = Stopwatch.GetElapsedTime(probe);

        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Streams).Select(async worker =>
        {
            await Task.Delay(length * worker / settings.Streams);
            while (Stopwatch.GetElapsedTime(start) < SteadyWindow)
            {
                bool counted = Stopwatch.GetElapsedTime(start) >= length;
                (double ttft, double gap, int frames) = await TimedAsync(client, server, errors);
                if (counted)
                {
                    lock (into)
                    {
                        into.Add(ttft, gap, frames, errors);
                    }
                }
            }
        }));
    }

    private static async Task<(double TtftMs, double MaxGapMs, int Frames)> TimedAsync(HttpClient client, BenchTarget server, Counter errors)
    {
        try
        {
            return await StreamProbe.RunAsync(server, client);
        }
        catch (Exception ex) when (LoadHarness.IsFailure(ex))
        {
            errors.Add(ex);
            return (double.NaN, 0, -1);
        }
    }
}
