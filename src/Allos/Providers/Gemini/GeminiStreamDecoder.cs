using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>
/// <c>streamGenerateContent?alt=sse</c> events. Gemini has no terminator and old models put <c>finishReason</c> on every
/// chunk: the body is read to its end, then the answer must have ended (a finish reason was seen) rather than been cut.
/// </summary>
internal sealed class GeminiStreamDecoder(ProviderTransport transport, string provider) : StreamDecoder
{
    private readonly GeminiStreamAssembler _assembler = new(provider);

    public override StreamFraming Framing => StreamFraming.ServerSentEvents;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        if (_assembler.TryReadText(data, out ChatResponseUpdate? update))
        {
            return update;
        }

        GeminiResponse? chunk = JsonSerializer.Deserialize(data, GeminiJsonContext.Default.GeminiResponse);
        return chunk is null ? null : _assembler.Add(chunk);
    }

    public override ChatResponseUpdate? Finish() =>
        _assembler.IsComplete ? _assembler.Complete() : throw transport.CreateTruncatedStreamError("a chunk with finishReason");
}
