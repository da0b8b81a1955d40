namespace Allos.Bench.Gateway;

/// <summary>The harness's options (see <c>LoadHarness.RunAsync</c> for their flags and defaults).</summary>
internal sealed record LoadSettings(int Warmup, int WarmupSeconds, int WarmupMaxSeconds, int Requests, int RpsSeconds, int Concurrency, int Streams, int StreamRounds, int SteadyRounds, int Chunks, int StallMs, int SoakSeconds);
