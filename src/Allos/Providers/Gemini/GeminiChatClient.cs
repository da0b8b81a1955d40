using System.Text.Json;
using Allos.Context;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>The Gemini API (<c>generativelanguage.googleapis.com</c>, v1beta) over HTTP: <c>generateContent</c>, <c>streamGenerateContent</c> and <c>countTokens</c>.</summary>
internal sealed class GeminiChatClient : ProviderChatClient, IInputTokenCounter
{
    private readonly string _root;
    private readonly bool _vertex;
    private readonly Uri _generateUrl;
    private readonly Uri _streamUrl;

    public GeminiChatClient(ProviderSettings settings)
        : this(settings, ApiRoot(settings.Endpoint), GeminiErrorParser.Parse)
    {
    }

    /// <summary>Posts to <c>{root}/models/{model}:{action}</c>: Vertex AI's root is its project, location and publisher path.</summary>
    internal GeminiChatClient(ProviderSettings settings, string root, Func<int, string, Http.ProviderError> parseError, bool vertex = false)
        : base(settings, parseError)
    {
        _root = root;
        _vertex = vertex;

        // The client's own model is the usual case: its URLs are built once, not parsed again on every call.
        _generateUrl = ModelUrl(null, "generateContent");
        _streamUrl = ModelUrl(null, "streamGenerateContent?alt=sse");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        GeminiRequest body = GeminiRequestBuilder.Build(messages, options, Settings.Provider);
        Uri url = options?.ModelId is null ? _generateUrl : ModelUrl(options.ModelId, "generateContent");
        return await PostAsync(url, body, GeminiJsonContext.Default.GeminiRequest, GeminiJsonContext.Default.GeminiResponse,
            options, Settings.Provider, static (response, provider) => GeminiResponseParser.ToChatResponse(response, provider), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        GeminiRequest body = GeminiRequestBuilder.Build(messages, options, Settings.Provider);

        // Without alt=sse the stream is a JSON array, not server-sent events.
        Uri url = options?.ModelId is null ? _streamUrl : ModelUrl(options.ModelId, "streamGenerateContent?alt=sse");
        return PostStreamingAsync(url, body, GeminiJsonContext.Default.GeminiRequest, options, new GeminiStreamDecoder(Transport, Settings.Provider), cancellationToken);
    }

    /// <summary>Counts what <see cref="GetResponseAsync"/> would send with <c>POST models/{model}:countTokens</c>.</summary>
    public async Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        GeminiRequest body = GeminiRequestBuilder.Build(messages, options, Settings.Provider);
        JsonElement request = JsonSerializer.SerializeToElement(body, GeminiJsonContext.Default.GeminiRequest);
        string model = options?.ModelId ?? Settings.Model;
        ChatResponse counted = await PostAsync(ModelUrl(model, "countTokens"), new GeminiCountTokensRequest(request, model, _vertex), GeminiJsonContext.Default.GeminiCountTokensRequest,
            GeminiJsonContext.Default.GeminiCountTokensResponse, options, Settings.Provider, static (response, provider) => response.TotalTokens is long tokens
                ? new ChatResponse { Usage = new UsageDetails { InputTokenCount = tokens } }
                : throw ProviderTransport.NotAResponse(provider, "\"totalTokens\""), cancellationToken).ConfigureAwait(false);
        return counted.Usage!.InputTokenCount!.Value;
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
        }
    }

    private Uri ModelUrl(string? modelId, string action)
    {
        string model = modelId ?? Settings.Model;

        // Names as the models endpoint lists them ("models/gemini-2.5-flash") work too.
        if (model.StartsWith("models/", StringComparison.Ordinal))
        {
            model = model["models/".Length..];
        }

        // '@' is legal in a path segment and kept: Vertex AI's versioned ids (model@001) are written with it.
        return new Uri($"{_root}/models/{Uri.EscapeDataString(model).Replace("%40", "@", StringComparison.Ordinal)}:{action}");
    }

    /// <summary>The endpoint documented without a version gets <c>/v1beta</c>; one that already names a version keeps it.</summary>
    internal static string ApiRoot(Uri endpoint)
    {
        string root = endpoint.AbsoluteUri.TrimEnd('/');
        string last = root[(root.LastIndexOf('/') + 1)..];
        bool versioned = last.StartsWith('v') && last.Length > 1 && char.IsAsciiDigit(last[1]);
        return versioned ? root : root + "/v1beta";
    }
}
