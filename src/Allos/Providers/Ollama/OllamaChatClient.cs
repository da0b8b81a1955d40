using System.Net.Http.Headers;
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
            options, Settings.Provider, static (response, provider) => OllamaResponseParser.ToChatResponse(response, provider), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OllamaRequest body = OllamaRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: true);
        return PostStreamingAsync(_url, body, OllamaJsonContext.Default.OllamaRequest, options, new OllamaStreamDecoder(Transport), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        // A local server needs no key; ollama.com takes a bearer token.
        if (Settings.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }
}
