using System.Net.Http.Headers;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Chat Completions over HTTP, for api.openai.com, Azure OpenAI and every OpenAI-compatible server.</summary>
internal sealed class OpenAIChatClient : ProviderChatClient
{
    private readonly OpenAIDialect _dialect;
    private readonly Uri _url;

    public OpenAIChatClient(ProviderSettings settings, OpenAIDialect dialect)
        : base(settings, OpenAIErrorParser.Parse)
    {
        _dialect = dialect;
        _url = dialect.IsAzure ? AzureUrl(settings, dialect.AzureApiVersion!) : settings.Combine("chat/completions");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, Settings.Model, _dialect, stream: false);
        return await PostAsync(_url, body, OpenAIJsonContext.Default.OpenAIRequest, OpenAIJsonContext.Default.OpenAIResponse,
            options, Settings.Provider, static (response, provider) => OpenAIResponseParser.ToChatResponse(response, provider), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, Settings.Model, _dialect, stream: true);
        return PostStreamingAsync(_url, body, OpenAIJsonContext.Default.OpenAIRequest, options, new OpenAIStreamDecoder(Transport, Settings.Provider), cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is not { } key)
        {
            return;
        }

        if (_dialect.IsAzure)
        {
            request.Headers.TryAddWithoutValidation("api-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    private static Uri AzureUrl(ProviderSettings settings, string apiVersion)
    {
        string root = settings.Endpoint.AbsoluteUri.TrimEnd('/');

        // The v1 surface takes the model in the body; the classic surface names the deployment in the path.
        return root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase)
            ? new Uri($"{root}/chat/completions?api-version={Uri.EscapeDataString(apiVersion == OpenAIDialect.DefaultAzureApiVersion ? "v1" : apiVersion)}")
            : new Uri($"{root}/openai/deployments/{Uri.EscapeDataString(settings.Model)}/chat/completions?api-version={Uri.EscapeDataString(apiVersion)}");
    }
}
