using System.Text;
using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>Messages API server-sent events: <c>message_start</c> … <c>message_stop</c>, or an <c>error</c> event.</summary>
internal sealed class AnthropicStreamDecoder(ProviderTransport transport, string? jsonToolName) : StreamDecoder
{
    private readonly AnthropicStreamAssembler _assembler = new(jsonToolName);

    public override StreamFraming Framing => StreamFraming.ServerSentEvents;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        if (AnthropicEventReader.TryReadTextDelta(data, out int index, out string? text))
        {
            return _assembler.AddTextDelta(index, text);
        }

        if (JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicStreamEvent) is not { } e)
        {
            return null;
        }

        // The JSON "type" and the SSE event name agree; either may be missing behind a proxy.
        string type = e.Type ?? (eventType.IsEmpty ? "message" : Encoding.UTF8.GetString(eventType));
        if (type == "error")
        {
            throw transport.CreateStreamError(AnthropicErrorParser.FromError(e.Error ?? new AnthropicError(), status: null));
        }

        ChatResponseUpdate? update = _assembler.Add(e, type);
        Ended = _assembler.Completed;
        return update;
    }

    public override ChatResponseUpdate? Finish()
    {
        if (Ended)
        {
            return null;
        }

        // A proxy may end the stream after message_delta (the stop reason and final usage) without message_stop.
        return _assembler.HasStopReason
            ? _assembler.Add(new AnthropicStreamEvent { Type = "message_stop" }, "message_stop")
            : throw transport.CreateTruncatedStreamError("event: message_stop");
    }
}
