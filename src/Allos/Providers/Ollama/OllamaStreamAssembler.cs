using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>
/// Turns NDJSON lines into updates. Thinking and text deltas pass through as they arrive; tool calls arrive whole and are
/// emitted when seen; the <c>"done": true</c> line brings the finish reason, the counters and the durations.
/// </summary>
/// <remarks>Not thread-safe: one instance per stream.</remarks>
internal sealed class OllamaStreamAssembler(ProviderTransport transport)
{
    private int _callCount;

    /// <summary>Gets a value indicating whether the final <c>"done": true</c> line was read.</summary>
    public bool IsDone { get; private set; }

    /// <summary>
    /// Handles a line that carried only a text delta (see <see cref="OllamaLineReader"/>): the update <see cref="Add"/>
    /// would return for it, without the raw line (its DTO was never built).
    /// </summary>
    public static ChatResponseUpdate? AddText(OllamaTextLine line) => string.IsNullOrEmpty(line.Content) ? null
        : new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(line.Content)]) { ModelId = line.Model, CreatedAt = line.CreatedAt };

    /// <summary>Handles one line; returns the update to yield, or <see langword="null"/> when the line carried nothing to show.</summary>
    public ChatResponseUpdate? Add(OllamaResponse line)
    {
        if (OllamaResponseParser.IsError(line))
        {
            throw transport.CreateStreamError(OllamaErrorParser.FromStreamLine(line));
        }

        List<AIContent>? contents = OllamaResponseParser.AddContents(null, line.Message, ref _callCount);
        ChatFinishReason? finish = null;
        AdditionalPropertiesDictionary? properties = null;
        if (line.Done)
        {
            IsDone = true;
            finish = OllamaResponseParser.MapFinishReason(line.DoneReason, hadToolCalls: _callCount > 0);
            properties = OllamaResponseParser.Durations(line);
            if (OllamaResponseParser.MapUsage(line) is { } usage)
            {
                (contents ??= []).Add(new UsageContent(usage));
            }
        }
        else if (contents is null)
        {
            return null;
        }

        return new ChatResponseUpdate(ChatRole.Assistant, contents ?? [])
        {
            ModelId = line.Model,
            CreatedAt = OllamaResponseParser.ParseTime(line.CreatedAt),
            FinishReason = finish,
            AdditionalProperties = properties,
            RawRepresentation = line,
        };
    }
}
