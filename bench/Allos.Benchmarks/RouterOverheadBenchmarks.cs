using Allos.Context;
using Allos.Gateway;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// What the gateway adds to a non-streaming call at any history length: the same client called directly, through a Router
/// (with and without a budget and a TPM limit, the features that need the request's size) and through pipelines of Allos
/// layers, over a client that answers without reading the request, so the difference is only the gateway's own work
/// (<see cref="RouterOverheadOverHttpBenchmarks"/>: the same over the real OpenAI client).
/// </summary>
/// <remarks>
/// The history is an agent's: user turns, assistant tool calls with JSON arguments, tool results. It is the same list on
/// every call, as an agent's history is between two turns; "full re-estimate" is what each call paid before the
/// estimate was remembered per list (every message, tool-call arguments re-serialized).
/// </remarks>
[MemoryDiagnoser]
public class RouterOverheadBenchmarks
{
    private static readonly Uri Endpoint = new("http://canned.invalid/v1");

    private HttpClient _http = null!;
    private IChatClient _direct = null!;
    private Router _router = null!;
    private Router _limited = null!;
    private IChatClient _routed = null!;
    private IChatClient _routedLimited = null!;
    private IChatClient _layered = null!;
    private List<ChatMessage> _history = null!;

    private IChatClient _layeredSizing = null!;

    [Params(1, 200, 2_000, 10_000)]
    public int Messages { get; set; }

    /// <summary>Gets whether the client under the gateway is the OpenAI client over canned HTTP rather than the instant one.</summary>
    protected virtual bool OverHttp => false;

    [GlobalSetup]
    public async Task Setup()
    {
        _http = new HttpClient(await CannedResponseHandler.RecordAsync(ClientOverheadBenchmarks.OpenAIWhole));
        _direct = Client();
        _router = new Router(Options(limits: false));
        _routed = _router.For("fast");
        _limited = new Router(Options(limits: true));
        _routedLimited = _limited.For("fast");

        // The layers that need the request's size (budgets, TPM) and the one that prices the answer: the Router's features above.
        _layeredSizing = Client().AsBuilder()
            .UseCallRecording()
            .UseBudgets(options => options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 1_000_000_000m)))
            .UseRateLimits(options => options.TokensPerMinute = int.MaxValue)
            .Build();

        // Every layer that wraps each call: recording, request timeout, budgets, retries, TPM.
        _layered = Client().AsBuilder()
            .UseCallRecording()
            .UseTimeout(TimeSpan.FromMinutes(5))
            .UseBudgets(options => options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 1_000_000_000m)))
            .UseRetries()
            .UseRateLimits(options => options.TokensPerMinute = int.MaxValue)
            .Build();
        _history = History(Messages);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _router.Dispose();
        _limited.Dispose();
        _layered.Dispose();
        _layeredSizing.Dispose();
        _http.Dispose();
    }

    [Benchmark(Baseline = true, Description = "provider client directly")]
    public async Task<string> Direct() => (await _direct.GetResponseAsync(_history)).Text;

    [Benchmark(Description = "Router.For(alias)")]
    public async Task<string> Routed() => (await _routed.GetResponseAsync(_history)).Text;

    [Benchmark(Description = "Router.For(alias), budget + TPM limit")]
    public async Task<string> RoutedLimited() => (await _routedLimited.GetResponseAsync(_history)).Text;

    [Benchmark(Description = "layers: recording, budget, TPM")]
    public async Task<string> LayeredSizing() => (await _layeredSizing.GetResponseAsync(_history)).Text;

    [Benchmark(Description = "layers: recording, timeout, budget, retries, TPM")]
    public async Task<string> Layered() => (await _layered.GetResponseAsync(_history)).Text;

    [Benchmark(Description = "full re-estimate (the old per-call cost)")]
    public long FullEstimate() => TokenEstimator.Default.Estimate(_history);

    private static List<ChatMessage> History(int count)
    {
        var history = new List<ChatMessage>(count);
        for (int i = 0; history.Count < count; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {i}: what is the weather in city number {i}, and should I take an umbrella?"));
            if (history.Count < count)
            {
                history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{i}", "get_weather",
                    new Dictionary<string, object?> { ["city"] = $"City {i}", ["unit"] = "celsius", ["days"] = 3 })]));
            }

            if (history.Count < count)
            {
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call_{i}", $"Sunny, {10 + (i % 20)} degrees, no rain expected.")]));
            }
        }

        return history;
    }

    private IChatClient Client() => OverHttp
        ? ChatClients.Create("openai/gpt-4o-mini", new ChatClientOptions { ApiKey = "k", Endpoint = Endpoint, HttpClient = _http })
        : new InstantChatClient();

    private RouterOptions Options(bool limits)
    {
        var options = new RouterOptions { HttpClient = _http };
        var deployment = new Deployment("openai/gpt-4o-mini")
        {
            ApiKey = "k",
            Endpoint = Endpoint,
            TokensPerMinute = limits ? int.MaxValue : null,
            Client = OverHttp ? null : new InstantChatClient(),
        };
        if (limits)
        {
            options.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 1_000_000_000m));
        }

        options.Groups.Add(new ModelGroup("fast", deployment));
        return options;
    }
}
