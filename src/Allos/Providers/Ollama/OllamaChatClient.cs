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
internal sealed class OllamaChatClient : IChatClient
{
    private readonly ProviderSettings _settings;
    private readonly ProviderTransport _transport;
    private readonly Uri _url;
    private readonly ChatClientMetadata _metadata;

    public OllamaChatClient(ProviderSettings settings)
    {
        _settings = settings;
        _transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, OllamaErrorParser.Parse);
        _url = settings.Combine("api/chat");
        _metadata = new ChatClientMetadata(settings.Provider, settings.Endpoint, settings.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OllamaRequest body = OllamaRequestBuilder.Build(messages, options, _settings.Model, _settings.Provider, stream: false);
        return await _transport.GuardAsync(async token =>
        {
            using HttpRequestMessage request = CreateRequest(body);
            using HttpResponseMessage response = await _transport.SendAsync(request, token).ConfigureAwait(false);
            using Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            OllamaResponse parsed = await JsonSerializer.DeserializeAsync(stream, OllamaJsonContext.Default.OllamaResponse, token).ConfigureAwait(false)
                ?? throw new JsonException("The response body was empty.");
            return OllamaResponseParser.ToChatResponse(parsed, _settings.Provider);
        }, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OllamaRequest body = OllamaRequestBuilder.Build(messages, options, _settings.Model, _settings.Provider, stream: true);
        return _transport.GuardStreamAsync(token => StreamAsync(body, token), cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient is shared or the caller's; nothing of ours to release.
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(OllamaRequest body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body);
        using HttpResponseMessage response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var assembler = new OllamaStreamAssembler(_transport);
        await foreach (OllamaResponse line in NdjsonReader.ReadAsync(stream, OllamaJsonContext.Default.OllamaResponse, cancellationToken).ConfigureAwait(false))
        {
            if (assembler.Add(line) is { } update)
            {
                yield return update;
            }

            if (assembler.IsDone)
            {
                yield break;
            }
        }

        throw _transport.CreateTruncatedStreamError("a line with \"done\": true");
    }

    private HttpRequestMessage CreateRequest(OllamaRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = ProviderTransport.JsonBody(body, OllamaJsonContext.Default.OllamaRequest),
        };

        // A local server needs no key; ollama.com takes a bearer token.
        if (_settings.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (KeyValuePair<string, string> header in _settings.Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }
}
