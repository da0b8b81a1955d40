using Allos.Context;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// Sliding-window and truncate-oldest policies on a 10,000-message history (2,500 turns with tool calls, about 1.5 million
/// estimated tokens, over a 128k window): the first call on a history (every message estimated, the fitted list built)
/// and a call when nothing changed since the last one (the target: under 1 ms).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ContextPolicyBenchmarks
{
    private static readonly ContextBudget Budget = new(128_000, 16_000);

    private List<ChatMessage> _history = null!;
    private ContextPolicy _sliding = null!;
    private ContextPolicy _truncate = null!;

    [GlobalSetup]
    public void Setup()
    {
        _history = [new(ChatRole.System, "You are a coding assistant.")];
        for (int t = 0; _history.Count < 10_000; t++)
        {
            _history.Add(new ChatMessage(ChatRole.User, $"Please look at file {t} and tell me what it does. " + new string('q', 200)));
            _history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{t}", "read_file", new Dictionary<string, object?> { ["path"] = $"src/file{t}.cs" })]));
            _history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call_{t}", new string('r', 1_600))]));
            _history.Add(new ChatMessage(ChatRole.Assistant, $"File {t} does this. " + new string('a', 400)));
        }

        _history.RemoveRange(10_000, _history.Count - 10_000);
        _sliding = ContextPolicy.SlidingWindow();
        _truncate = ContextPolicy.TruncateOldest();
        Wait(_sliding.FitAsync(_history, Budget));
        Wait(_truncate.FitAsync(_history, Budget));
    }

    [Benchmark(Description = "sliding, first call")]
    [BenchmarkCategory("first")]
    public ContextFit SlidingFirst() => Wait(ContextPolicy.SlidingWindow().FitAsync(_history, Budget));

    [Benchmark(Description = "truncate, first call")]
    [BenchmarkCategory("first")]
    public ContextFit TruncateFirst() => Wait(ContextPolicy.TruncateOldest().FitAsync(_history, Budget));

    [Benchmark(Description = "sliding, unchanged")]
    [BenchmarkCategory("unchanged")]
    public ContextFit SlidingUnchanged() => Wait(_sliding.FitAsync(_history, Budget));

    [Benchmark(Description = "truncate, unchanged")]
    [BenchmarkCategory("unchanged")]
    public ContextFit TruncateUnchanged() => Wait(_truncate.FitAsync(_history, Budget));

    // These policies complete synchronously; reading the result directly keeps Task allocations out of the figures.
    private static ContextFit Wait(ValueTask<ContextFit> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
