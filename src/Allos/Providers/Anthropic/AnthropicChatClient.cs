using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
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
        return PostStreamingAsync(_url, body, AnthropicJsonContext.Default.AnthropicRequest, options, (stream, token) => ReadStreamAsync(stream, body.JsonToolName, token), cancellationToken);
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

    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(Stream stream, string? jsonToolName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var assembler = new AnthropicStreamAssembler(jsonToolName);
        SseParser<StreamItem> parser = SseParser.Create(stream, static (_, data) => StreamItem.Read(data));

        await foreach (SseItem<StreamItem> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data.IsTextDelta)
            {
                if (assembler.AddTextDelta(item.Data.Index, item.Data.Text) is { } delta)
                {
                    yield return delta;
                }

                continue;
            }

            if (item.Data.Event is not { } e)
            {
                continue;
            }

            // The JSON "type" and the SSE event name agree; either may be missing behind a proxy.
            string type = e.Type ?? item.EventType;
            if (type == "error")
            {
                throw Transport.CreateStreamError(AnthropicErrorParser.FromError(e.Error ?? new AnthropicError(), status: null));
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

        // A proxy may end the stream after message_delta (the stop reason and final usage) without message_stop.
        if (assembler.HasStopReason)
        {
            yield return assembler.Add(new AnthropicStreamEvent { Type = "message_stop" }, "message_stop")!;
            yield break;
        }

        throw Transport.CreateTruncatedStreamError("event: message_stop");
    }

    /// <summary>One event: a text delta read directly, another event deserialized, or nothing (an empty data field).</summary>
    private readonly record struct StreamItem(bool IsTextDelta, int Index, string? Text, AnthropicStreamEvent? Event)
    {
        public static StreamItem Read(ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
            {
                return default;
            }

            return AnthropicEventReader.TryReadTextDelta(data, out int index, out string? text)
                ? new StreamItem(true, index, text, null)
                : new StreamItem(false, 0, null, JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicStreamEvent));
        }
    }
}
