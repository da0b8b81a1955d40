using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// The floor: a raw <see cref="HttpClient"/> and System.Text.Json doing the least honest work for each provider's format.
/// It writes the body with a <see cref="Utf8JsonWriter"/>; for a stream it splits SSE/NDJSON lines with a
/// <see cref="PipeReader"/>, pulls each text delta out with a <see cref="Utf8JsonReader"/> into a string (what any
/// streaming API hands its consumer) and concatenates; for a whole answer it reads the text and one usage count from a
/// <see cref="JsonDocument"/>. No error mapping, no usage or finish reason in a stream, no tool calls.
/// With <c>readWholeEvent</c>, a stream's events are read to their end, as a client must to see a finish reason or usage
/// wherever the provider puts them (still taking only the text): the floor of a correct client's parsing.
/// <see cref="StreamUpdatesAsync"/> is the floor under the <see cref="IChatClient"/> contract: the same whole-event
/// parsing, but each text delta handed over as the contract requires, one <see cref="ChatResponseUpdate"/> with its
/// role and a <see cref="TextContent"/>, through an async iterator.
/// </summary>
internal sealed class FloorClient(HttpClient http, string provider, Uri url)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<int> StreamAsync(IReadOnlyList<(string Role, string Text)> messages, bool readWholeEvent = false)
    {
        using HttpRequestMessage request = Request(messages, stream: true);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        PipeReader reader = PipeReader.Create(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder();
        byte[] key = provider is "openai" or "ollama" ? "content"u8.ToArray() : "text"u8.ToArray();
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } newline)
            {
                if (Delta(buffer.Slice(0, newline), key, readWholeEvent) is { } piece)
                {
                    text.Append(piece);
                }

                buffer = buffer.Slice(buffer.GetPosition(1, newline));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        return text.ToString().Length;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamUpdatesAsync(IReadOnlyList<(string Role, string Text)> messages, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = Request(messages, stream: true);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        PipeReader reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellationToken));
        byte[] key = provider is "openai" or "ollama" ? "content"u8.ToArray() : "text"u8.ToArray();
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } newline)
            {
                string? piece = Delta(buffer.Slice(0, newline), key, readWholeEvent: true);
                buffer = buffer.Slice(buffer.GetPosition(1, newline));
                if (piece is not null)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(piece)]);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
    }

    public async Task<string> WholeAsync(IReadOnlyList<(string Role, string Text)> messages)
    {
        using HttpRequestMessage request = Request(messages, stream: false);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using Stream body = await response.Content.ReadAsStreamAsync();
        using JsonDocument document = await JsonDocument.ParseAsync(body);
        JsonElement root = document.RootElement;
        return provider switch
        {
            "openai" => root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() >= 0 ? root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()! : "",
            "anthropic" => root.GetProperty("usage").GetProperty("input_tokens").GetInt32() >= 0 ? root.GetProperty("content")[0].GetProperty("text").GetString()! : "",
            "gemini" => root.GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt32() >= 0 ? root.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()! : "",
            _ => root.GetProperty("prompt_eval_count").GetInt32() >= 0 ? root.GetProperty("message").GetProperty("content").GetString()! : "",
        };
    }

    /// <summary>The string value of the first property named <paramref name="key"/> in one SSE <c>data:</c> line or NDJSON line.</summary>
    private static string? Delta(ReadOnlySequence<byte> line, byte[] key, bool readWholeEvent)
    {
        if (line.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(line);
        if (line.FirstSpan[0] != (byte)'{')
        {
            if (!line.FirstSpan.StartsWith("data: {"u8))
            {
                return null; // event: names, [DONE], blank lines
            }

            reader = new Utf8JsonReader(line.Slice(6));
        }

        string? text = null;
        while (reader.Read())
        {
            if (text is null && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(key) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                text = reader.GetString();
                if (!readWholeEvent)
                {
                    break;
                }
            }
        }

        return text;
    }

    private HttpRequestMessage Request(IReadOnlyList<(string Role, string Text)> messages, bool stream)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (provider == "gemini")
            {
                json.WriteStartArray("contents");
                foreach ((string role, string text) in messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role", role == "assistant" ? "model" : role);
                    json.WriteStartArray("parts");
                    json.WriteStartObject();
                    json.WriteString("text", text);
                    json.WriteEndObject();
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteString("model", provider switch { "openai" => "gpt-4o-mini", "anthropic" => "claude-sonnet-4-5", _ => "llama3.2" });
                if (provider == "anthropic")
                {
                    json.WriteNumber("max_tokens", 1024);
                }

                json.WriteBoolean("stream", stream);
                json.WriteStartArray("messages");
                foreach ((string role, string text) in messages)
                {
                    json.WriteStartObject();
                    json.WriteString("role", role);
                    json.WriteString("content", text);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        switch (provider)
        {
            case "openai":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");
                break;
            case "anthropic":
                request.Headers.TryAddWithoutValidation("x-api-key", "k");
                request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
                break;
            case "gemini":
                request.Headers.TryAddWithoutValidation("x-goog-api-key", "k");
                break;
        }

        return request;
    }
}
