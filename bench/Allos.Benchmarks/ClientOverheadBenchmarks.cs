using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Allos.Testing;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// The same calls as <see cref="ProviderClientBenchmarks"/>, but answered from memory with bytes recorded from the fake
/// server, so loopback and scheduling noise drop out and the figures isolate what each client does itself.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ClientOverheadBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];
    private static readonly Uri Root = new("http://canned.invalid/");

    internal const string OpenAIWhole = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is the capital of France?"}]}""";
    private const string OpenAIStream = """{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is the capital of France?"}]}""";
    private const string AnthropicWhole = """{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"What is the capital of France?"}]}""";
    private const string AnthropicStream = """{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"What is the capital of France?"}]}""";

    private HttpClient _http = null!;
    private IChatClient _openai = null!;
    private IChatClient _anthropic = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _http = new HttpClient(await CannedResponseHandler.RecordAsync(OpenAIWhole, OpenAIStream, AnthropicWhole, AnthropicStream));
        _openai = ChatClients.Create("openai/gpt-4o-mini", new ChatClientOptions { ApiKey = "k", Endpoint = new Uri(Root, "v1"), HttpClient = _http });
        _anthropic = ChatClients.Create("anthropic/claude-sonnet-4-5", new ChatClientOptions { ApiKey = "k", Endpoint = Root, HttpClient = _http });
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "OpenAI raw HttpClient+JsonDocument")]
    [BenchmarkCategory("openai", "whole")]
    public async Task<string> OpenAIRaw()
    {
        using JsonDocument document = await PostAsync("v1/chat/completions", OpenAIWhole, bearer: true);
        _ = document.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    [Benchmark(Description = "OpenAI Allos GetResponseAsync")]
    [BenchmarkCategory("openai", "whole")]
    public async Task<string> OpenAIAllos() => (await _openai.GetResponseAsync(Messages)).Text;

    [Benchmark(Baseline = true, Description = "OpenAI raw SSE+JsonDocument")]
    [BenchmarkCategory("openai", "stream")]
    public Task<int> OpenAIRawStream() => RawStreamAsync("v1/chat/completions", OpenAIStream, bearer: true, static root =>
        root.GetProperty("choices") is { } choices && choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString()!.Length : 0);

    [Benchmark(Description = "OpenAI Allos GetStreamingResponseAsync")]
    [BenchmarkCategory("openai", "stream")]
    public Task<int> OpenAIAllosStream() => AllosStreamAsync(_openai);

    [Benchmark(Baseline = true, Description = "Anthropic raw HttpClient+JsonDocument")]
    [BenchmarkCategory("anthropic", "whole")]
    public async Task<string> AnthropicRaw()
    {
        using JsonDocument document = await PostAsync("v1/messages", AnthropicWhole, bearer: false);
        _ = document.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        return document.RootElement.GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    [Benchmark(Description = "Anthropic Allos GetResponseAsync")]
    [BenchmarkCategory("anthropic", "whole")]
    public async Task<string> AnthropicAllos() => (await _anthropic.GetResponseAsync(Messages)).Text;

    [Benchmark(Baseline = true, Description = "Anthropic raw SSE+JsonDocument")]
    [BenchmarkCategory("anthropic", "stream")]
    public Task<int> AnthropicRawStream() => RawStreamAsync("v1/messages", AnthropicStream, bearer: false, static root =>
        root.TryGetProperty("delta", out JsonElement delta) && delta.TryGetProperty("text", out JsonElement text) ? text.GetString()!.Length : 0);

    [Benchmark(Description = "Anthropic Allos GetStreamingResponseAsync")]
    [BenchmarkCategory("anthropic", "stream")]
    public Task<int> AnthropicAllosStream() => AllosStreamAsync(_anthropic);

    private static async Task<int> AllosStreamAsync(IChatClient client)
    {
        int characters = 0;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Messages))
        {
            characters += update.Text.Length;
        }

        return characters;
    }

    private HttpRequestMessage Request(string path, string body, bool bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Root, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        }
        else
        {
            request.Headers.Add("x-api-key", "k");
            request.Headers.Add("anthropic-version", "2023-06-01");
        }

        return request;
    }

    private async Task<JsonDocument> PostAsync(string path, string body, bool bearer)
    {
        using HttpRequestMessage request = Request(path, body, bearer);
        using HttpResponseMessage response = await _http.SendAsync(request);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        return await JsonDocument.ParseAsync(stream);
    }

    private async Task<int> RawStreamAsync(string path, string body, bool bearer, Func<JsonElement, int> read)
    {
        using HttpRequestMessage request = Request(path, body, bearer);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int characters = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line != "data: [DONE]")
            {
                using JsonDocument chunk = JsonDocument.Parse(line.AsMemory(6));
                characters += read(chunk.RootElement);
            }
        }

        return characters;
    }
}
