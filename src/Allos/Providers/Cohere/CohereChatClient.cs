using System.Net.Http.Headers;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>Cohere's v2 Chat API (<c>POST {endpoint}/v2/chat</c>) over HTTP.</summary>
internal sealed class CohereChatClient : ProviderChatClient
{
    private readonly Uri _url;

    public CohereChatClient(ProviderSettings settings)
        : base(settings, CohereErrorParser.Parse)
    {
        // COHERE_BASE_URL has no version segment; tolerate one written with it.
        _url = settings.Endpoint.AbsolutePath.TrimEnd('/').EndsWith("/v2", StringComparison.Ordinal)
            ? settings.Combine("chat")
            : settings.Combine("v2/chat");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        CohereRequest body = CohereRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: false);
        return await PostAsync(_url, body, CohereJsonContext.Default.CohereRequest, CohereJsonContext.Default.CohereResponse,
            options, (Transport, body.Model), static (response, state) =>
            {
                ChatResponse chat = CohereResponseParser.ToChatResponse(response, state.Transport);
                chat.ModelId = state.Model; // Cohere's response does not name the model
                return chat;
            }, cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        CohereRequest body = CohereRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: true);
        return PostStreamingAsync(_url, body, CohereJsonContext.Default.CohereRequest, options, new CohereStreamDecoder(Transport, body.Model), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }
}
