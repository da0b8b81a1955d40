using System.Text.Json;
using Allos.Context;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>The Anthropic Messages API (<c>POST {endpoint}/v1/messages</c>) over HTTP.</summary>
internal sealed class AnthropicChatClient : ProviderChatClient, IInputTokenCounter
{
    private const string ApiVersion = "2023-06-01";

    private readonly Uri _url;
    private readonly Uri _countUrl;
    private readonly Func<string, bool, Uri>? _modelUrl;
    private readonly string? _bodyVersion;

    public AnthropicChatClient(ProviderSettings settings)
        : base(settings, AnthropicErrorParser.Parse)
    {
        // ANTHROPIC_BASE_URL has no version segment; tolerate one written with it.
        _url = settings.Endpoint.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal)
            ? settings.Combine("messages")
            : settings.Combine("v1/messages");
        _countUrl = new Uri(_url.AbsoluteUri + "/count_tokens");
    }

    /// <summary>
    /// The Messages body on a cloud that names the model in the URL (Claude on Vertex AI): <paramref name="modelUrl"/> gives
    /// the URL of a model, whole or streamed; the body has no <c>model</c> and carries <paramref name="bodyVersion"/> as <c>anthropic_version</c>.
    /// </summary>
    internal AnthropicChatClient(ProviderSettings settings, Func<string, bool, Uri> modelUrl, string bodyVersion, Func<int, string, ProviderError> parseError)
        : base(settings, parseError)
    {
        _modelUrl = modelUrl;
        _bodyVersion = bodyVersion;
        _url = modelUrl(settings.Model, false);
        _countUrl = _url;
    }

    /// <summary>
    /// Counts the input tokens of a Messages request with <c>POST /v1/messages/count_tokens</c>: <paramref name="request"/>'s
    /// fields are sent as they are, with this client's model in place of its <c>model</c>.
    /// </summary>
    /// <remarks>The gateway's <c>/v1/messages/count_tokens</c> forwards through this, so the count is the provider's own.</remarks>
    internal Task<long> CountTokensAsync(JsonElement request, CancellationToken cancellationToken = default) =>
        CountAsync(new AnthropicCountTokensRequest(request, Settings.Model), null, cancellationToken);

    /// <summary>Counts what <see cref="GetResponseAsync"/> would send, with <c>count_tokens</c> (the request is built the same way, so tools and the system prompt are counted).</summary>
    public Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: false);
        JsonElement request = JsonSerializer.SerializeToElement(body, AnthropicJsonContext.Default.AnthropicRequest);
        return CountAsync(new AnthropicCountTokensRequest(request, body.Model), options, cancellationToken);
    }

    /// <summary>Claude on Vertex AI counts elsewhere (<c>count-tokens:rawPredict</c>), which is not built: the model's URL would answer, and bill, a message.</summary>
    protected override bool CountsTokens => _modelUrl is null;

    private async Task<long> CountAsync(AnthropicCountTokensRequest count, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (!CountsTokens)
        {
            throw new FeatureNotSupportedException(Settings.Provider, "counting tokens of Claude on Vertex AI", "The context policy uses its estimate instead.");
        }

        ChatResponse counted = await PostAsync(_countUrl, count, AnthropicJsonContext.Default.AnthropicCountTokensRequest,
            AnthropicJsonContext.Default.AnthropicCountTokensResponse, options, Settings.Provider, static (response, provider) => response.InputTokens is long tokens
                ? new ChatResponse { Usage = new UsageDetails { InputTokenCount = tokens } }
                : throw ProviderTransport.NotAResponse(provider, "\"input_tokens\""), cancellationToken).ConfigureAwait(false);
        return counted.Usage!.InputTokenCount!.Value;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, Settings.Model, Settings.Provider, stream: false);
        return await PostAsync(Url(body, options, stream: false), body, AnthropicJsonContext.Default.AnthropicRequest, AnthropicJsonContext.Default.AnthropicResponse,
            options, (Transport, body.JsonToolName), static (response, state) =>
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
        return PostStreamingAsync(Url(body, options, stream: true), body, AnthropicJsonContext.Default.AnthropicRequest, options, new AnthropicStreamDecoder(Transport, body.JsonToolName), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        // Options.Headers are applied after this and win, so a newer anthropic-version can be pinned through them.
        if (_bodyVersion is null)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        }
    }

    /// <summary>The Messages URL, or the model's own URL where the model is named there (then the body names the version instead).</summary>
    private Uri Url(AnthropicRequest body, ChatOptions? options, bool stream)
    {
        if (_modelUrl is null)
        {
            return _url;
        }

        body.AnthropicVersion = _bodyVersion;
        return options?.ModelId is null && !stream ? _url : _modelUrl(options?.ModelId ?? Settings.Model, stream);
    }

    protected override void AddRequestHeaders(HttpRequestMessage request, ChatOptions? options)
    {
        // The gateway passes a caller's betas on (Claude Code needs its own), so the upstream enables what the body uses.
        if (options?.AdditionalProperties?.TryGetValue(AnthropicProperties.BetaKey, out object? beta) == true && beta is string { Length: > 0 } betas)
        {
            request.Headers.TryAddWithoutValidation("anthropic-beta", betas);
        }
    }
}
