using System.Net.Http.Headers;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>
/// Amazon Bedrock's Converse API (<c>POST {endpoint}/model/{modelId}/converse</c> and <c>/converse-stream</c>) over HTTP,
/// signed with SigV4 for the <c>bedrock</c> service, or with a Bedrock API key as a bearer token.
/// </summary>
internal sealed class BedrockChatClient : ProviderChatClient
{
    private readonly BedrockSetup _setup;

    public BedrockChatClient(ProviderSettings settings, BedrockSetup setup)
        : base(settings, BedrockErrorParser.Parse)
    {
        _setup = setup;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = options?.ModelId ?? Settings.Model;
        BedrockRequest body = BedrockRequestBuilder.Build(messages, options, model, Settings.Provider);
        return await PostAsync(Url(model, "converse"), body, BedrockJsonContext.Default.BedrockRequest, BedrockJsonContext.Default.BedrockResponse,
            options, (Provider: Settings.Provider, Model: model), static (response, state) => BedrockResponseParser.ToChatResponse(response, state.Provider, state.Model), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string model = options?.ModelId ?? Settings.Model;
        BedrockRequest body = BedrockRequestBuilder.Build(messages, options, model, Settings.Provider);
        return PostStreamingAsync(Url(model, "converse-stream"), body, BedrockJsonContext.Default.BedrockRequest, options, new BedrockStreamDecoder(Transport, model), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (_setup.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return;
        }

        ReadOnlySpan<byte> body = request.Content is PooledJsonContent json ? json.Body : default;
        SigV4Signer.Sign(request, body, _setup.SigningCredentials(), _setup.Region!, BedrockSetup.Service, Settings.Options.TimeProvider.GetUtcNow());
    }

    /// <summary>Model ids carry <c>:</c> (and inference-profile ARNs <c>/</c>): escaped as one path segment.</summary>
    private Uri Url(string model, string action) => Settings.Combine($"model/{Uri.EscapeDataString(model)}/{action}");
}
