using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>Ollama's native <c>POST /api/chat</c>, for a local server or ollama.com.</summary>
/// <remarks>
/// Provider-specific request fields go in <see cref="ChatOptions.AdditionalProperties"/> and are sent as top-level fields
/// (for example <c>keep_alive</c>). A field named like one Allos sets replaces it: <c>"options"</c> replaces the whole
/// options object built from <see cref="ChatOptions"/> (temperature, top_p, top_k, num_predict, seed, stop, penalties),
/// so put every option you need (<c>num_ctx</c>, …) in it. Responses carry Ollama's timings, in nanoseconds, in
/// <see cref="ChatResponse.AdditionalProperties"/> (<c>ollama.total_duration_ns</c> and the load and eval durations).
/// </remarks>
internal sealed class OllamaChatClient : ProviderChatClient
{
    private readonly Uri _url;

    public OllamaChatClient(ProviderSettings settings)
        : base(settings, OllamaErrorParser.Parse)
    {
        _url = settings.Combine("api/chat");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OllamaRequest body = OllamaRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: false);
        return await PostAsync(_url, body, OllamaJsonContext.Default.OllamaRequest, OllamaJsonContext.Default.OllamaResponse,
            Settings.Provider, static (response, provider) => OllamaResponseParser.ToChatResponse(response, provider), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OllamaRequest body = OllamaRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: true);
        return PostStreamingAsync(_url, body, OllamaJsonContext.Default.OllamaRequest, options, ReadStreamAsync, cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        // A local server needs no key; ollama.com takes a bearer token.
        if (Settings.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var assembler = new OllamaStreamAssembler(Transport);
        var lines = new OllamaLineReader();
        await foreach (StreamItem item in NdjsonReader.ReadAsync(stream, line => StreamItem.Read(line, lines), cancellationToken).ConfigureAwait(false))
        {
            if (item.IsText)
            {
                if (OllamaStreamAssembler.AddText(item.Text) is { } delta)
                {
                    yield return delta;
                }

                continue;
            }

            if (item.Line is not { } line)
            {
                continue; // a JSON null
            }

            if (assembler.Add(line) is { } update)
            {
                yield return update;
            }

            if (assembler.IsDone)
            {
                yield break;
            }
        }

        throw Transport.CreateTruncatedStreamError("a line with \"done\": true");
    }

    /// <summary>One line: a text-only line read directly, or another line deserialized.</summary>
    private readonly record struct StreamItem(bool IsText, OllamaTextLine Text, OllamaResponse? Line)
    {
        public static StreamItem Read(ReadOnlySequence<byte> line, OllamaLineReader lines)
        {
            if (lines.TryReadText(line, out OllamaTextLine text))
            {
                return new StreamItem(true, text, null);
            }

            var reader = new Utf8JsonReader(line);
            return new StreamItem(false, default, JsonSerializer.Deserialize(ref reader, OllamaJsonContext.Default.OllamaResponse));
        }
    }
}
