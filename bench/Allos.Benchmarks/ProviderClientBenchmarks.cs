using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// One call through Allos' OpenAI and Anthropic clients against the same local fake server, compared with the least a
/// hand-written client must do: POST a fixed JSON body with HttpClient and read the answer's text and usage with JsonDocument.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProviderClientBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "What is the capital of France?")];

    private FakeServerProcess _server = null!;
    private HttpClient _http = null!;
    private IChatClient _openai = null!;
    private IChatClient _anthropic = null!;
    private Uri _openaiUrl = null!;
    private Uri _anthropicUrl = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = FakeServerProcess.Start();
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _openai = ChatClients.Create("openai/gpt-4o-mini", new ChatClientOptions { ApiKey = "k", Endpoint = new Uri(_server.BaseUri, "v1") });
        _anthropic = ChatClients.Create("anthropic/claude-sonnet-4-5", new ChatClientOptions { ApiKey = "k", Endpoint = _server.BaseUri });
        _openaiUrl = new Uri(_server.BaseUri, "v1/chat/completions");
        _anthropicUrl = new Uri(_server.BaseUri, "v1/messages");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, Description = "OpenAI raw HttpClient+JsonDocument")]
    [BenchmarkCategory("openai", "whole")]
    public async Task<string> OpenAIRaw()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _openaiUrl)
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is the capital of France?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        using HttpResponseMessage response = await _http.SendAsync(request);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        using JsonDocument document = await JsonDocument.ParseAsync(stream);
        JsonElement root = document.RootElement;
        _ = root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        return root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    [Benchmark(Description = "OpenAI Allos GetResponseAsync")]
    [BenchmarkCategory("openai", "whole")]
    public async Task<string> OpenAIAllos() => (await _openai.GetResponseAsync(Messages)).Text;

    [Benchmark(Baseline = true, Description = "OpenAI raw SSE+JsonDocument")]
    [BenchmarkCategory("openai", "stream")]
    public async Task<int> OpenAIRawStream()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _openaiUrl)
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is the capital of France?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int characters = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using JsonDocument chunk = JsonDocument.Parse(line.AsMemory(6));
            JsonElement choices = chunk.RootElement.GetProperty("choices");
            if (choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
            {
                characters += content.GetString()!.Length;
            }
        }

        return characters;
    }

    [Benchmark(Description = "OpenAI Allos GetStreamingResponseAsync")]
    [BenchmarkCategory("openai", "stream")]
    public async Task<int> OpenAIAllosStream()
    {
        int characters = 0;
        await foreach (ChatResponseUpdate update in _openai.GetStreamingResponseAsync(Messages))
        {
            characters += update.Text.Length;
        }

        return characters;
    }

    [Benchmark(Baseline = true, Description = "Anthropic raw HttpClient+JsonDocument")]
    [BenchmarkCategory("anthropic", "whole")]
    public async Task<string> AnthropicRaw()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _anthropicUrl)
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"What is the capital of France?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "k");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using HttpResponseMessage response = await _http.SendAsync(request);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        using JsonDocument document = await JsonDocument.ParseAsync(stream);
        JsonElement root = document.RootElement;
        _ = root.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        return root.GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    [Benchmark(Description = "Anthropic Allos GetResponseAsync")]
    [BenchmarkCategory("anthropic", "whole")]
    public async Task<string> AnthropicAllos() => (await _anthropic.GetResponseAsync(Messages)).Text;

    [Benchmark(Baseline = true, Description = "Anthropic raw SSE+JsonDocument")]
    [BenchmarkCategory("anthropic", "stream")]
    public async Task<int> AnthropicRawStream()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _anthropicUrl)
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"What is the capital of France?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "k");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int characters = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument chunk = JsonDocument.Parse(line.AsMemory(6));
            if (chunk.RootElement.TryGetProperty("delta", out JsonElement delta) && delta.TryGetProperty("text", out JsonElement text))
            {
                characters += text.GetString()!.Length;
            }
        }

        return characters;
    }

    [Benchmark(Description = "Anthropic Allos GetStreamingResponseAsync")]
    [BenchmarkCategory("anthropic", "stream")]
    public async Task<int> AnthropicAllosStream()
    {
        int characters = 0;
        await foreach (ChatResponseUpdate update in _anthropic.GetStreamingResponseAsync(Messages))
        {
            characters += update.Text.Length;
        }

        return characters;
    }
}
