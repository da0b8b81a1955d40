namespace Allos.Benchmarks;

/// <summary>
/// <see cref="RouterOverheadBenchmarks"/> over the OpenAI client answered from memory with bytes recorded from the fake
/// server: it serializes the whole history on every call, so this shows the gateway's share of a real call.
/// </summary>
public class RouterOverheadOverHttpBenchmarks : RouterOverheadBenchmarks
{
    /// <inheritdoc />
    protected override bool OverHttp => true;
}
