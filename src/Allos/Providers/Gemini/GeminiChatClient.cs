using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>The Gemini API (<c>generativelanguage.googleapis.com</c>, v1beta) over HTTP: <c>generateContent</c> and <c>streamGenerateContent</c>.</summary>
internal sealed class GeminiChatClient : IChatClient
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly ProviderSettings _settings;
    private readonly ProviderTransport _transport;
    private readonly string _root;
    private readonly ChatClientMetadata _metadata;

    public GeminiChatClient(ProviderSettings settings)
    {
        _settings = settings;
        _transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, GeminiErrorParser.Parse);
        _root = ApiRoot(settings.Endpoint);
        _metadata = new ChatClientMetadata(settings.Provider, settings.Endpoint, settings.Model);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        GeminiRequest body = GeminiRequestBuilder.Build(messages, options, _settings.Provider);
        Uri url = ModelUrl(options?.ModelId, "generateContent");
        return _transport.GuardAsync(async token =>
        {
            using HttpRequestMessage request = CreateRequest(url, body);
            using HttpResponseMessage response = await _transport.SendAsync(request, token).ConfigureAwait(false);
            using Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            GeminiResponse parsed = await JsonSerializer.DeserializeAsync(stream, GeminiJsonContext.Default.GeminiResponse, token).ConfigureAwait(false)
                ?? throw new JsonException("The response body was empty.");
            return GeminiResponseParser.ToChatResponse(parsed, _settings.Provider);
        }, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        GeminiRequest body = GeminiRequestBuilder.Build(messages, options, _settings.Provider);

        // Without alt=sse the stream is a JSON array, not server-sent events.
        Uri url = ModelUrl(options?.ModelId, "streamGenerateContent?alt=sse");
        return _transport.GuardStreamAsync(token => StreamAsync(url, body, token), cancellationToken);
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

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(Uri url, GeminiRequest body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(url, body);
        using HttpResponseMessage response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var assembler = new GeminiStreamAssembler(_settings.Provider);
        SseParser<GeminiResponse?> parser = SseParser.Create(stream, static (_, data) =>
            data.IsEmpty ? null : JsonSerializer.Deserialize(data, GeminiJsonContext.Default.GeminiResponse));

        // Gemini has no terminator and old models put finishReason on every chunk: read to EOF, then check that the answer
        // had ended (a finish reason was seen) rather than been cut.
        await foreach (SseItem<GeminiResponse?> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is { } chunk && assembler.Add(chunk) is { } update)
            {
                yield return update;
            }
        }

        if (!assembler.IsComplete)
        {
            throw _transport.CreateTruncatedStreamError("a chunk with finishReason");
        }

        yield return assembler.Complete();
    }

    private HttpRequestMessage CreateRequest(Uri url, GeminiRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = System.Net.Http.Json.JsonContent.Create(body, GeminiJsonContext.Default.GeminiRequest, JsonMediaType),
        };

        if (_settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
        }

        foreach (KeyValuePair<string, string> header in _settings.Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }

    private Uri ModelUrl(string? modelId, string action)
    {
        string model = modelId ?? _settings.Model;

        // Names as the models endpoint lists them ("models/gemini-2.5-flash") work too.
        if (model.StartsWith("models/", StringComparison.Ordinal))
        {
            model = model["models/".Length..];
        }

        return new Uri($"{_root}/models/{Uri.EscapeDataString(model)}:{action}");
    }

    /// <summary>The endpoint documented without a version gets <c>/v1beta</c>; one that already names a version keeps it.</summary>
    private static string ApiRoot(Uri endpoint)
    {
        string root = endpoint.AbsoluteUri.TrimEnd('/');
        string last = root[(root.LastIndexOf('/') + 1)..];
        bool versioned = last.StartsWith('v') && last.Length > 1 && char.IsAsciiDigit(last[1]);
        return versioned ? root : root + "/v1beta";
    }
}
