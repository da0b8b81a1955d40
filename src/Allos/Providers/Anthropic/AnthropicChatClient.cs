using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>The Anthropic Messages API (<c>POST {endpoint}/v1/messages</c>) over HTTP.</summary>
internal sealed class AnthropicChatClient : IChatClient
{
    private const string ApiVersion = "2023-06-01";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly ProviderSettings _settings;
    private readonly ProviderTransport _transport;
    private readonly Uri _url;
    private readonly ChatClientMetadata _metadata;

    public AnthropicChatClient(ProviderSettings settings)
    {
        _settings = settings;
        _transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, AnthropicErrorParser.Parse);

        // ANTHROPIC_BASE_URL has no version segment; tolerate one written with it.
        _url = settings.Endpoint.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal)
            ? settings.Combine("messages")
            : settings.Combine("v1/messages");
        _metadata = new ChatClientMetadata(settings.Provider, settings.Endpoint, settings.Model);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, _settings.Model, _settings.Provider, stream: false);
        return _transport.GuardAsync(async token =>
        {
            using HttpRequestMessage request = CreateRequest(body);
            using HttpResponseMessage response = await _transport.SendAsync(request, token).ConfigureAwait(false);
            using Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            AnthropicResponse parsed = await JsonSerializer.DeserializeAsync(stream, AnthropicJsonContext.Default.AnthropicResponse, token).ConfigureAwait(false)
                ?? throw new JsonException("The response body was empty.");
            if (parsed.Error is { } error)
            {
                throw _transport.CreateStreamError(AnthropicErrorParser.FromError(error, status: null) with { RequestId = parsed.RequestId });
            }

            return AnthropicResponseParser.ToChatResponse(parsed, body.JsonToolName);
        }, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AnthropicRequest body = AnthropicRequestBuilder.Build(messages, options, _settings.Model, _settings.Provider, stream: true);
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

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(AnthropicRequest body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body);
        using HttpResponseMessage response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var assembler = new AnthropicStreamAssembler(body.JsonToolName);
        SseParser<AnthropicStreamEvent?> parser = SseParser.Create(stream, static (_, data) =>
            data.IsEmpty ? null : JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicStreamEvent));

        await foreach (SseItem<AnthropicStreamEvent?> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is not { } e)
            {
                continue;
            }

            // The JSON "type" and the SSE event name agree; either may be missing behind a proxy.
            string type = e.Type ?? item.EventType;
            if (type == "error")
            {
                throw _transport.CreateStreamError(AnthropicErrorParser.FromError(e.Error ?? new AnthropicError(), status: null));
            }

            if (assembler.Add(e, type) is { } update)
            {
                yield return update;
            }

            if (assembler.Completed)
            {
                yield break;
            }
        }

        throw _transport.CreateTruncatedStreamError("event: message_stop");
    }

    private HttpRequestMessage CreateRequest(AnthropicRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = System.Net.Http.Json.JsonContent.Create(body, AnthropicJsonContext.Default.AnthropicRequest, JsonMediaType),
        };

        if (_settings.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        foreach (KeyValuePair<string, string> header in _settings.Options.Headers)
        {
            // The caller's headers win, so a newer anthropic-version can be pinned through them.
            request.Headers.Remove(header.Key);
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }
}
