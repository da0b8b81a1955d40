using System.Text;
using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>v2 Chat server-sent events: <c>message-start</c> … <c>message-end</c>.</summary>
internal sealed class CohereStreamDecoder(ProviderTransport transport, string model) : StreamDecoder
{
    private readonly CohereStreamAssembler _assembler = new(transport, model);

    public override StreamFraming Framing => StreamFraming.ServerSentEvents;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.SequenceEqual("[DONE]"u8))
        {
            return null;
        }

        if (JsonSerializer.Deserialize(data, CohereJsonContext.Default.CohereStreamEvent) is not { } e)
        {
            return null;
        }

        // The JSON "type" and the SSE event name agree; either may be missing behind a proxy.
        string? type = e.Type ?? (eventType.IsEmpty ? null : Encoding.UTF8.GetString(eventType));
        if (type is null)
        {
            return null;
        }

        ChatResponseUpdate? update = _assembler.Add(e, type);
        Ended = _assembler.Completed;
        return update;
    }

    public override ChatResponseUpdate? Finish() =>
        Ended ? null : throw transport.CreateTruncatedStreamError("event: message-end");
}
