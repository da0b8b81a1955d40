using System.ClientModel;
using System.ClientModel.Primitives;
using Allos.Gateway;
using Anthropic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using Ollama = OllamaSharp.Models.Chat;
using OpenAIChat = OpenAI.Chat;

namespace Allos.Benchmarks;

/// <summary>
/// One run, per provider format: the floor (raw HttpClient + System.Text.Json, see <see cref="FloorClient"/>), Allos,
/// Allos through the Router, and the official SDK where one is served (OpenAI 2.15, Anthropic 13.12 through its own
/// <c>AsIChatClient</c>, OllamaSharp 5.5; no official Gemini .NET SDK is served here). Every answer comes from memory
/// (<see cref="FixedResponseHandler"/>), so the figures are the clients' own work: a 200-chunk stream, a whole call,
/// and a call with a 200-message (~95 KB) history and a short answer.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
[NoGeminiSdk]
public class SdkComparisonBenchmarks
{
    private const int HistoryLength = 200;
    private const string Question = "What is the capital of France?";
    private static readonly Uri Root = new("http://canned.invalid/");

    private readonly List<HttpClient> _https = [];
    private readonly List<IDisposable> _owned = [];

    private Case _stream = null!;
    private Case _whole = null!;
    private Case _history = null!;
    private IChatClient _routedStream = null!;

    [Params("openai", "anthropic", "gemini", "ollama")]
    public string Provider { get; set; } = "openai";

    [GlobalSetup]
    public void Setup()
    {
        _stream = NewCase(WireSamples.Stream(Provider), [("user", Question)]);
        _whole = NewCase(WireSamples.Whole(Provider), [("user", Question)]);
        _history = NewCase(WireSamples.Whole(Provider), [.. Enumerable.Range(0, HistoryLength).Select(i => (i % 2 == 0 ? "user" : "assistant", WireSamples.HistoryText(i)))]);

        var routerOptions = new RouterOptions { HttpClient = _stream.Http };
        routerOptions.Groups.Add(new ModelGroup("answer", new Deployment(ModelName()) { ApiKey = "k", Endpoint = Endpoint() }));
        var router = new Router(routerOptions);
        _owned.Add(router);
        _routedStream = router.For("answer");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _owned.ForEach(o => o.Dispose());
        _https.ForEach(h => h.Dispose());
    }

    [Benchmark(Baseline = true, Description = "floor")]
    [BenchmarkCategory("stream200")]
    public Task<int> StreamFloor() => _stream.Floor.StreamAsync(_stream.Turns);

    [Benchmark(Description = "floor, whole events")]
    [BenchmarkCategory("stream200")]
    public Task<int> StreamFloorWholeEvents() => _stream.Floor.StreamAsync(_stream.Turns, readWholeEvent: true);

    [Benchmark(Description = "floor, as IChatClient updates")]
    [BenchmarkCategory("stream200")]
    public Task<int> StreamFloorUpdates() => CountAsync(_stream.Floor.StreamUpdatesAsync(_stream.Turns));

    [Benchmark(Description = "Allos")]
    [BenchmarkCategory("stream200")]
    public Task<int> StreamAllos() => AllosStreamAsync(_stream.Allos, _stream.Messages);

    [Benchmark(Description = "Allos via Router")]
    [BenchmarkCategory("stream200")]
    public Task<int> StreamRouter() => AllosStreamAsync(_routedStream, _stream.Messages);

    [Benchmark(Description = "official SDK")]
    [BenchmarkCategory("stream200")]
    public async Task<int> StreamSdk()
    {
        int characters = 0;
        switch (Provider)
        {
            case "openai":
                await foreach (OpenAIChat.StreamingChatCompletionUpdate update in _stream.OpenAI!.CompleteChatStreamingAsync(_stream.OpenAIMessages!))
                {
                    foreach (OpenAIChat.ChatMessageContentPart part in update.ContentUpdate)
                    {
                        characters += part.Text.Length;
                    }
                }

                return characters;
            case "ollama":
                await foreach (Ollama.ChatResponseStream? update in _stream.Ollama!.ChatAsync(new Ollama.ChatRequest { Model = "llama3.2", Messages = _stream.OllamaMessages!, Stream = true }))
                {
                    characters += update?.Message.Content?.Length ?? 0;
                }

                return characters;
            default:
                return await AllosStreamAsync(SdkChatClient(_stream), _stream.Messages);
        }
    }

    [Benchmark(Baseline = true, Description = "floor")]
    [BenchmarkCategory("whole")]
    public Task<string> WholeFloor() => _whole.Floor.WholeAsync(_whole.Turns);

    [Benchmark(Description = "Allos")]
    [BenchmarkCategory("whole")]
    public async Task<string> WholeAllos() => (await _whole.Allos.GetResponseAsync(_whole.Messages)).Text;

    [Benchmark(Description = "official SDK")]
    [BenchmarkCategory("whole")]
    public Task<string> WholeSdk() => SdkWholeAsync(_whole);

    [Benchmark(Baseline = true, Description = "floor")]
    [BenchmarkCategory("history200")]
    public Task<string> HistoryFloor() => _history.Floor.WholeAsync(_history.Turns);

    [Benchmark(Description = "Allos")]
    [BenchmarkCategory("history200")]
    public async Task<string> HistoryAllos() => (await _history.Allos.GetResponseAsync(_history.Messages)).Text;

    [Benchmark(Description = "official SDK")]
    [BenchmarkCategory("history200")]
    public Task<string> HistorySdk() => SdkWholeAsync(_history);

    private static Task<int> AllosStreamAsync(IChatClient client, IList<ChatMessage> messages) => CountAsync(client.GetStreamingResponseAsync(messages));

    private static async Task<int> CountAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        int characters = 0;
        await foreach (ChatResponseUpdate update in updates)
        {
            characters += update.Text.Length;
        }

        return characters;
    }

    private static IChatClient SdkChatClient(Case c) => c.Anthropic ?? throw new NotSupportedException("No official Gemini .NET SDK is served.");

    private async Task<string> SdkWholeAsync(Case c)
    {
        switch (Provider)
        {
            case "openai":
                OpenAIChat.ChatCompletion completion = (await c.OpenAI!.CompleteChatAsync(c.OpenAIMessages!)).Value;
                return completion.Content[0].Text;
            case "ollama":
                string text = "";
                await foreach (Ollama.ChatResponseStream? update in c.Ollama!.ChatAsync(new Ollama.ChatRequest { Model = "llama3.2", Messages = c.OllamaMessages!, Stream = false }))
                {
                    text += update?.Message.Content;
                }

                return text;
            default:
                return (await SdkChatClient(c).GetResponseAsync(c.Messages)).Text;
        }
    }

    private string ModelName() => Provider switch
    {
        "openai" => "openai/gpt-4o-mini",
        "anthropic" => "anthropic/claude-sonnet-4-5",
        "gemini" => "gemini/gemini-2.5-flash",
        _ => "ollama/llama3.2",
    };

    private Uri Endpoint() => Provider == "openai" ? new Uri(Root, "v1") : Root;

    private Case NewCase((byte[] Body, string ContentType) answer, (string Role, string Text)[] turns)
    {
        // BaseAddress for OllamaSharp, which takes its endpoint from the HttpClient; the others use absolute URLs.
        var http = new HttpClient(new FixedResponseHandler(answer.Body, answer.ContentType)) { BaseAddress = Root };
        _https.Add(http);
        var c = new Case
        {
            Http = http,
            Turns = turns,
            Messages = [.. turns.Select(t => new ChatMessage(t.Role == "user" ? ChatRole.User : ChatRole.Assistant, t.Text))],
            Floor = new FloorClient(http, Provider, Root),
            Allos = ChatClients.Create(ModelName(), new ChatClientOptions { ApiKey = "k", Endpoint = Endpoint(), HttpClient = http }),
        };
        switch (Provider)
        {
            case "openai":
                c.OpenAI = new OpenAIChat.ChatClient("gpt-4o-mini", new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = new Uri(Root, "v1"), Transport = new HttpClientPipelineTransport(http) });
                c.OpenAIMessages = [.. turns.Select(t => t.Role == "user" ? (OpenAIChat.ChatMessage)new OpenAIChat.UserChatMessage(t.Text) : new OpenAIChat.AssistantChatMessage(t.Text))];
                break;
            case "anthropic":
                c.Anthropic = new AnthropicClient { ApiKey = "k", BaseUrl = Root.AbsoluteUri.TrimEnd('/'), HttpClient = http, MaxRetries = 0 }.AsIChatClient("claude-sonnet-4-5", 1024);
                break;
            case "ollama":
                var ollama = new OllamaApiClient(http, "llama3.2");
                _owned.Add(ollama);
                c.Ollama = ollama;
                c.OllamaMessages = [.. turns.Select(t => new Ollama.Message(t.Role == "user" ? Ollama.ChatRole.User : Ollama.ChatRole.Assistant, t.Text))];
                break;
        }

        return c;
    }

    /// <summary>Leaves out the official-SDK cases for Gemini: no official Gemini .NET SDK is served on this machine's feed.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    private sealed class NoGeminiSdkAttribute() : FilterConfigBaseAttribute(new SimpleFilter(benchmark =>
        !(benchmark.Descriptor.WorkloadMethod.Name.EndsWith("Sdk", StringComparison.Ordinal) && Equals(benchmark.Parameters["Provider"], "gemini"))));

    private sealed class Case
    {
        public required HttpClient Http { get; init; }

        public required (string Role, string Text)[] Turns { get; init; }

        public required List<ChatMessage> Messages { get; init; }

        public required FloorClient Floor { get; init; }

        public required IChatClient Allos { get; init; }

        public OpenAIChat.ChatClient? OpenAI { get; set; }

        public List<OpenAIChat.ChatMessage>? OpenAIMessages { get; set; }

        public IChatClient? Anthropic { get; set; }

        public OllamaApiClient? Ollama { get; set; }

        public List<Ollama.Message>? OllamaMessages { get; set; }
    }
}
