using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Allos.Bench.Gateway;

/// <summary>
/// Measures each proxy against the upstream it fronts and prints one Markdown table. "Added" figures are the proxy's
/// minus the upstream's own, measured interleaved (a direct call, then a proxied one) so a load change on the machine
/// moves both sides alike.
/// </summary>
internal static class LoadHarness
{
    public static async Task<int> RunAsync(BenchArguments args)
    {
        string upstream = args.String("upstream");
        var direct = new BenchTarget("direct", upstream, pid: null);
        string[] keys = [.. args.All("key")];
        BenchTarget[] targets = [.. args.All("target").Select(spec => BenchTarget.Parse(spec, upstream, keys))];
        var settings = new LoadSettings(
            Warmup: args.Int("warmup", 2000),
            WarmupSeconds: args.Int("warmup-seconds", 30),
            WarmupMaxSeconds: args.Int("warmup-max-seconds", 300),
            Requests: args.Int("requests", 10_000),
            RpsSeconds: args.Int("rps-seconds", 20),
            Concurrency: args.Int("concurrency", 50),
            Streams: args.Int("streams", 100),
            StreamRounds: args.Int("stream-rounds", 10),
            SteadyRounds: args.Int("steady-rounds", 3),
            Chunks: args.Int("chunks", 20),
            StallMs: args.Int("stall-ms", 50),
            SoakSeconds: args.Int("soak-seconds", 600));

        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        var rows = new List<string>();
        var directRps = new List<double>();
        Result? directResult = null;
        foreach (BenchTarget target in targets)
        {
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: warm-up");
            await WarmUpAsync(client, settings, direct, target);

            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {settings.Requests} calls at concurrency 1");
            var errors = new Counter();
            (List<double> directLatency, List<double> latency) = await LatencyAsync(client, settings.Requests, direct, target, errors);

            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {settings.RpsSeconds} s at concurrency {settings.Concurrency}");
            directRps.Add((await ThroughputAsync(client, direct, settings, errors)).Rps);
            (double rps, double? cpuPerCall) = await ThroughputAsync(client, target, settings, errors);

            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {settings.StreamRounds} rounds of {settings.Streams} concurrent streams");
            (StreamTimes directStreams, StreamTimes streams) = await StreamLoad.BurstsAsync(client, settings, direct, target, errors);

            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {settings.SteadyRounds} × 5 s of {settings.Streams} streams kept open");
            (StreamTimes directSteady, StreamTimes steady) = await StreamLoad.SteadyAsync(client, settings, direct, target, errors);

            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: {settings.SoakSeconds} s soak");
            string rss = await SoakAsync(client, settings, target, errors);

            directResult ??= new Result(Percentile(directLatency, 50), Percentile(directLatency, 99), directStreams, directSteady);
            rows.Add(Row(
                target.Name,
                Ms(Percentile(latency, 50) - Percentile(directLatency, 50)),
                Ms(Percentile(latency, 99) - Percentile(directLatency, 99)),
                rps.ToString("N0", CultureInfo.InvariantCulture),
                cpuPerCall is double cpu ? string.Create(CultureInfo.InvariantCulture, $"{cpu:F0} µs") : "n/a",
                Ms(Percentile(streams.Ttft, 50) - Percentile(directStreams.Ttft, 50)),
                Ms(Percentile(streams.Ttft, 99) - Percentile(directStreams.Ttft, 99)),
                Ms(Percentile(steady.Ttft, 50) - Percentile(directSteady.Ttft, 50)),
                Ms(Percentile(steady.Ttft, 99) - Percentile(directSteady.Ttft, 99)),
                Ms(Math.Max(streams.MaxGap, steady.MaxGap)),
                $"{streams.Stalled + steady.Stalled} / {streams.Count + steady.Count}",
                rss,
                errors.Value.ToString(CultureInfo.InvariantCulture)));
        }

        if (directResult is null)
        {
            Console.Error.WriteLine("no --target given: nothing to measure");
            return 2;
        }

        Console.WriteLine($"| server | added p50, c=1 | added p99, c=1 | RPS, c={settings.Concurrency}, server on 1 core | server CPU per call | added TTFT p50, {settings.Streams} streams at once | added TTFT p99 | added TTFT p50, {settings.Streams} streams open | added TTFT p99 | largest frame gap | streams with a stall (gap > {settings.StallMs} ms) | RSS over {settings.SoakSeconds} s soak (first → last tenth) | errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        Console.WriteLine(Row(
            "direct to upstream (absolute)",
            Ms(directResult.P50),
            Ms(directResult.P99),
            directRps.Average().ToString("N0", CultureInfo.InvariantCulture),
            "—",
            Ms(Percentile(directResult.Streams.Ttft, 50)),
            Ms(Percentile(directResult.Streams.Ttft, 99)),
            Ms(Percentile(directResult.Steady.Ttft, 50)),
            Ms(Percentile(directResult.Steady.Ttft, 99)),
            Ms(Math.Max(directResult.Streams.MaxGap, directResult.Steady.MaxGap)),
            $"{directResult.Streams.Stalled + directResult.Steady.Stalled} / {directResult.Streams.Count + directResult.Steady.Count}",
            "—",
            "—"));
        foreach (string row in rows)
        {
            Console.WriteLine(row);
        }

        return 0;
    }

    private static async Task WarmUpAsync(HttpClient client, LoadSettings settings, BenchTarget direct, BenchTarget target)
    {
        var ignored = new Counter();
        await LatencyAsync(client, settings.Warmup, direct, target, ignored);

        // Load for a while as well: a JIT-compiled server (.NET's tiered compilation, V8) is still recompiling its hot
        // methods seconds into a load, and the benchmark is of the server it settles into, not of its first seconds.
        await ThroughputAsync(client, target, settings with { RpsSeconds = settings.WarmupSeconds }, ignored);

        // On one core .NET's background tier-up (instrumented, then optimized code) was measured still taking a fifth of
        // the server's CPU 45 s into a load, so a .NET server is loaded on in 5 s windows until its tiered-compilation
        // thread uses under 1 % of a window (up to --warmup-max-seconds in all).
        int waited = settings.WarmupSeconds + await UntilJitQuietAsync(target, settings.WarmupMaxSeconds - settings.WarmupSeconds, atLeastOnce: false,
            () => ThroughputAsync(client, target, settings with { RpsSeconds = 5 }, ignored));
        Console.Error.WriteLine(target.JitCpuSeconds() is null
            ? $"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: warm-up load {waited} s (not a .NET server: no tiered-compilation thread to watch)"
            : $"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: warm-up load {waited} s, until its JIT went quiet (cap {settings.WarmupMaxSeconds} s)");

        // Streams run code whole calls do not (the SSE reader and writer), which tiers up on its own: 20 streams left the
        // JIT taking a quarter of Allos's CPU during the measured rounds. So rounds of concurrent streams, as measured, go
        // on in 5 s windows until the JIT is quiet again (one window for a server that is not .NET).
        if (settings.StreamRounds == 0 && settings.SteadyRounds == 0)
        {
            return;
        }

        var unused = new StreamTimes(settings);
        await StreamLoad.RoundAsync(client, settings, direct, unused, ignored);
        int streamed = await UntilJitQuietAsync(target, settings.WarmupMaxSeconds, atLeastOnce: true, async () =>
        {
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(5))
            {
                await StreamLoad.RoundAsync(client, settings, target, unused, ignored);
            }
        });
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {target.Name}: warm-up streams {streamed} s");
    }

    /// <summary>Runs <paramref name="window"/> (about 5 s of load) until the server's JIT thread uses under 0.05 s of one, up to <paramref name="capSeconds"/>; the seconds it ran.</summary>
    private static async Task<int> UntilJitQuietAsync(BenchTarget target, int capSeconds, bool atLeastOnce, Func<Task> window)
    {
        double? jit = target.JitCpuSeconds();
        if (jit is null)
        {
            if (atLeastOnce)
            {
                await window();
            }

            return atLeastOnce ? 5 : 0;
        }

        int waited = 0;
        while (waited < capSeconds)
        {
            await window();
            waited += 5;
            double now = target.JitCpuSeconds() ?? jit.Value;
            double used = now - jit.Value;
            jit = now;
            if (used < 0.05)
            {
                break;
            }
        }

        return waited;
    }

    private static async Task<(List<double> Direct, List<double> Target)> LatencyAsync(HttpClient client, int count, BenchTarget direct, BenchTarget target, Counter errors)
    {
        var directTimes = new List<double>(count);
        var targetTimes = new List<double>(count);
        byte[] buffer = new byte[16 * 1024];
        for (int i = 0; i < count; i++)
        {
            try
            {
                directTimes.Add(await direct.CallAsync(client, buffer));
                targetTimes.Add(await target.CallAsync(client, buffer));
            }
            catch (Exception ex) when (IsFailure(ex))
            {
                errors.Add(ex);
            }
        }

        return (directTimes, targetTimes);
    }

    /// <summary>Calls completed per second by <c>--concurrency</c> callers, and the server's CPU time per call (its own cost, whatever the load on the machine).</summary>
    private static async Task<(double Rps, double? CpuPerCallUs)> ThroughputAsync(HttpClient client, BenchTarget target, LoadSettings settings, Counter errors)
    {
        var done = new Counter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(settings.RpsSeconds));
        double? cpuBefore = target.CpuSeconds();
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            byte[] buffer = new byte[16 * 1024];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await target.CallAsync(client, buffer);
                    done.Add();
                }
                catch (Exception ex) when (IsFailure(ex))
                {
                    errors.Add(ex);
                }
            }
        })));
        double rps = done.Value / Stopwatch.GetElapsedTime(start).TotalSeconds;
        double? cpu = target.CpuSeconds() - cpuBefore;
        return (rps, done.Value > 0 ? cpu * 1e6 / done.Value : null);
    }

    private static async Task<string> SoakAsync(HttpClient client, LoadSettings settings, BenchTarget target, Counter errors)
    {
        if (target.ResidentMegabytes() is null)
        {
            return "n/a (no /proc)";
        }

        // Mixed load (eight callers of whole answers, two of streams) while the server's RSS is sampled once a second.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(settings.SoakSeconds));
        var samples = new List<double>();
        Task sampler = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await tick.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested)
            {
                if (target.ResidentMegabytes() is double mb)
                {
                    samples.Add(mb);
                }
            }
        });
        Task[] load = [.. Enumerable.Range(0, 10).Select(worker => Task.Run(async () =>
        {
            byte[] buffer = new byte[16 * 1024];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (worker < 8)
                    {
                        await target.CallAsync(client, buffer);
                    }
                    else
                    {
                        await StreamProbe.RunAsync(target, client);
                    }
                }
                catch (Exception ex) when (IsFailure(ex))
                {
                    errors.Add(ex);
                }
            }
        }))];
        await Task.WhenAll(load);
        await sampler;
        if (samples.Count < 2)
        {
            return "too short to sample";
        }

        int tenth = Math.Max(1, samples.Count / 10);
        double first = samples.Take(tenth).Average();
        double last = samples.TakeLast(tenth).Average();
        return string.Create(CultureInfo.InvariantCulture, $"{first:F0} → {last:F0} MB ({(last - first) / first:+0.0%;-0.0%}), max {samples.Max():F0} MB");
    }

    // A failed or timed-out call is counted in the errors column, not fatal: one bad proxy must not lose the other rows.
    internal static bool IsFailure(Exception ex) => ex is HttpRequestException or TaskCanceledException or IOException;

    private static double Percentile(List<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values];
        Array.Sort(sorted);
        int index = (int)Math.Ceiling(percent / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    private static string Ms(double value) => double.IsNaN(value) ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{value:F3} ms");

    private static string Row(params string[] cells) => new StringBuilder("| ").AppendJoin(" | ", cells).Append(" |").ToString();


    private sealed record Result(double P50, double P99, StreamTimes Streams, StreamTimes Steady);
}
