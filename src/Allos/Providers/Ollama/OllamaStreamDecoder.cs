using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary><c>/api/chat</c> JSON lines, until the line with <c>"done": true</c>.</summary>
internal sealed class OllamaStreamDecoder(ProviderTransport transport) : StreamDecoder
{
    private readonly OllamaStreamAssembler _assembler = new(transport);
    private readonly OllamaLineReader _lines = new();

    public override StreamFraming Framing => StreamFraming.NewlineDelimitedJson;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (_lines.TryReadText(data, out OllamaTextLine text))
        {
            return OllamaStreamAssembler.AddText(text);
        }

        if (JsonSerializer.Deserialize(data, OllamaJsonContext.Default.OllamaResponse) is not { } line)
        {
            return null; // a JSON null
        }

        ChatResponseUpdate? update = _assembler.Add(line);
        Ended = _assembler.IsDone;
        return update;
    }

    public override ChatResponseUpdate? Finish() =>
        Ended ? null : throw transport.CreateTruncatedStreamError("a line with \"done\": true");
}
