using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>The Anthropic Messages API (<c>POST {endpoint}/v1/messages</c>) over HTTP.</summary>
internal sealed class AnthropicChatClient : ProviderChatClient
{
    private const string ApiVersion = "2023-06-01";

    private readonly Uri _url;

    public AnthropicChatClient(ProviderSettings settings)
        : base(settings, AnthropicErrorParser.Parse)
    {
        // ANTHROPIC_BASE_URL has no version segment; tolerate one written with it.
        _url = settings.Endpoint.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal)
            ? settings.Combine("messages")
            : settings.Combine("v1/messages");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: false);
        return await PostAsync(_url, body, AnthropicJsonContext.Default.AnthropicRequest, AnthropicJsonContext.Default.AnthropicResponse,
            (Transport, body.JsonToolName), static (response, state) =>
            {
                if (response.Error is { } error)
                {
                    throw state.Transport.CreateStreamError(AnthropicErrorParser.FromError(error, status: null) with { RequestId = response.RequestId });
                }

                return AnthropicResponseParser.ToChatResponse(response, state.Transport.Provider, state.JsonToolName);
            }, cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: true);
        return PostStreamingAsync(_url, body, AnthropicJsonContext.Default.AnthropicRequest, options, new AnthropicStreamDecoder(Transport, body.JsonToolName), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        // Options.Headers are applied after this and win, so a newer anthropic-version can be pinned through them.
        request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
    }
}
