using Allos.Gateway;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// What the Router adds to a non-streaming call: the same OpenAI client called directly and through a Router, answered
/// from memory with bytes recorded from the fake server, so the difference is the Router's own work.
/// </summary>
[MemoryDiagnoser]
public class RouterOverheadBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];
    private static readonly Uri Endpoint = new("http://canned.invalid/v1");

    private HttpClient _http = null!;
    private IChatClient _direct = null!;
    private Router _router = null!;
    private Router _budgeted = null!;
    private IChatClient _routed = null!;
    private IChatClient _routedWithBudget = null!;
    private ChatOptions _byModelId = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _http = new HttpClient(await CannedResponseHandler.RecordAsync(ClientOverheadBenchmarks.OpenAIWhole));
        _direct = ChatClients.Create("openai/gpt-4o-mini", new ChatClientOptions { ApiKey = "k", Endpoint = Endpoint, HttpClient = _http });
        _router = new Router(Options());
        _routed = _router.For("fast");
        RouterOptions budgeted = Options();
        budgeted.Budgets.Add(new Budget(BudgetScope.Global, BudgetPeriod.Total, 1_000_000m));
        _budgeted = new Router(budgeted);
        _routedWithBudget = _budgeted.For("fast");
        _byModelId = new ChatOptions { ModelId = "fast" };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _router.Dispose();
        _budgeted.Dispose();
        _http.Dispose();
    }

    [Benchmark(Baseline = true, Description = "provider client directly")]
    public async Task<string> Direct() => (await _direct.GetResponseAsync(Messages)).Text;

    [Benchmark(Description = "Router.For(alias)")]
    public async Task<string> Routed() => (await _routed.GetResponseAsync(Messages)).Text;

    [Benchmark(Description = "Router, alias in ChatOptions.ModelId")]
    public async Task<string> RoutedByModelId() => (await _router.GetResponseAsync(Messages, _byModelId)).Text;

    [Benchmark(Description = "Router.For(alias) with a budget")]
    public async Task<string> RoutedWithBudget() => (await _routedWithBudget.GetResponseAsync(Messages)).Text;

    private RouterOptions Options()
    {
        var options = new RouterOptions { HttpClient = _http };
        options.Groups.Add(new ModelGroup("fast", new Deployment("openai/gpt-4o-mini") { ApiKey = "k", Endpoint = Endpoint }));
        return options;
    }
}
