using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Chat Completions server-sent events: chunks until <c>data: [DONE]</c>.</summary>
internal sealed class OpenAIStreamDecoder(ProviderTransport transport, string provider) : StreamDecoder
{
    private readonly OpenAIStreamAssembler _assembler = new(provider);

    public override StreamFraming Framing => StreamFraming.ServerSentEvents;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            if (!_assembler.HasChoices)
            {
                throw ProviderTransport.NotAResponse(provider, "chunks with \"choices\"");
            }

            Ended = true;
            return null;
        }

        // Until the response's id, model and time are known, every chunk goes through the DTO, which records them.
        if (_assembler.KnowsResponse && OpenAIChunkReader.TryReadText(data, out string? text))
        {
            return _assembler.AddText(text);
        }

        OpenAIResponse? chunk = JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIResponse);
        return chunk is null ? null : _assembler.Add(chunk);
    }

    public override ChatResponseUpdate? Finish()
    {
        // Some servers and gateways end a finished answer without [DONE]: complete, since the finish reason arrived.
        return Ended || _assembler.Finished
            ? _assembler.Complete()
            : throw transport.CreateTruncatedStreamError("data: [DONE]");
    }
}
