using System.Text;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>
/// Turns v2 Chat stream events into updates. Text, thinking and the tool plan pass through as they arrive; each tool
/// call is emitted whole at its <c>tool-call-end</c>; citations come as an empty <see cref="TextContent"/> carrying their
/// <see cref="CitationAnnotation"/>s; usage and the finish reason come with <c>message-end</c>.
/// </summary>
/// <remarks>Not thread-safe: one instance per stream.</remarks>
internal sealed class CohereStreamAssembler(ProviderTransport transport, string model)
{
    private readonly Dictionary<int, string> _contentTypes = [];
    private readonly Dictionary<int, PendingCall> _calls = [];
    private string? _responseId;
    private bool _hasCalls;

    /// <summary>Gets a value indicating whether <c>message-end</c> arrived.</summary>
    public bool Completed { get; private set; }

    /// <summary>Gets a value indicating whether <c>message-start</c> arrived: a stream of other objects is not an answer.</summary>
    public bool Started { get; private set; }

    public ChatResponseUpdate? Add(CohereStreamEvent e, string type)
    {
        CohereStreamMessage? message = e.Delta?.Message;
        switch (type)
        {
            case "message-start":
                Started = true;
                _responseId = e.Id;
                return NewUpdate([], e);
            case "content-start":
                string contentType = message is not null && message.Content.ValueKind == JsonValueKind.Object && message.Content.TryGetProperty("type", out JsonElement t)
                    ? t.GetString() ?? "text"
                    : "text";
                _contentTypes[e.Index ?? 0] = contentType;
                return ContentDelta(e, contentType);
            case "content-delta":
                return ContentDelta(e, _contentTypes.GetValueOrDefault(e.Index ?? 0, "text"));
            case "tool-plan-delta" when message?.ToolPlan is { Length: > 0 } plan:
                return NewUpdate([new TextReasoningContent(plan)], e);
            case "tool-call-start" when message is not null && message.ToolCalls.ValueKind == JsonValueKind.Object:
                var call = new PendingCall(Text(message.ToolCalls, "id"), message.ToolCalls.TryGetProperty("function", out JsonElement f) ? Text(f, "name") : null);
                call.Arguments.Append(Arguments(message.ToolCalls));
                _calls[e.Index ?? _calls.Count] = call;
                return NewUpdate([], e);
            case "tool-call-delta" when message is not null && message.ToolCalls.ValueKind == JsonValueKind.Object:
                if (_calls.TryGetValue(e.Index ?? _calls.Count - 1, out PendingCall? pending))
                {
                    pending.Arguments.Append(Arguments(message.ToolCalls));
                }

                return NewUpdate([], e);
            case "tool-call-end":
                int index = e.Index ?? _calls.Count - 1;
                if (!_calls.Remove(index, out PendingCall? done))
                {
                    return null;
                }

                _hasCalls = true;
                return NewUpdate([WireContent.ParseCall(done.Id ?? WireContent.NewCallId(), done.Name ?? "", done.Arguments.ToString())], e);
            case "citation-start" when message is not null && message.Citations.ValueKind == JsonValueKind.Object:
                CohereCitation? citation = message.Citations.Deserialize(CohereJsonContext.Default.CohereCitation);
                return citation is not null && CohereResponseParser.Annotations([citation]) is { } annotations
                    ? NewUpdate([new TextContent("") { Annotations = annotations }], e)
                    : null;
            case "message-end":
                Completed = true;
                return Complete(e);
            default:
                return null; // content-end, citation-end, debug, and event types added later
        }
    }

    private ChatResponseUpdate? ContentDelta(CohereStreamEvent e, string contentType)
    {
        if (e.Delta?.Message is not { Content.ValueKind: JsonValueKind.Object } message)
        {
            return null;
        }

        if (contentType == "thinking")
        {
            return Text(message.Content, "thinking") is { Length: > 0 } thinking ? NewUpdate([new TextReasoningContent(thinking)], e) : null;
        }

        return Text(message.Content, "text") is { Length: > 0 } text ? NewUpdate([new TextContent(text)], e) : null;
    }

    private ChatResponseUpdate Complete(CohereStreamEvent e)
    {
        CohereResponseParser.ThrowIfFailed(e.Delta?.FinishReason, e.Delta?.Error, transport);
        List<AIContent> contents = [];

        // Calls never closed by tool-call-end are still the model's calls.
        foreach (PendingCall call in _calls.Values)
        {
            contents.Add(WireContent.ParseCall(call.Id ?? WireContent.NewCallId(), call.Name ?? "", call.Arguments.ToString()));
            _hasCalls = true;
        }

        _calls.Clear();
        if (CohereResponseParser.MapUsage(e.Delta?.Usage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        ChatResponseUpdate update = NewUpdate(contents, e);
        update.FinishReason = CohereResponseParser.MapFinishReason(e.Delta?.FinishReason, _hasCalls);
        return update;
    }

    private static string? Arguments(JsonElement toolCall) =>
        toolCall.TryGetProperty("function", out JsonElement function) ? Text(function, "arguments") : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? WireContent.AsText(value) : null;

    private ChatResponseUpdate NewUpdate(List<AIContent> contents, CohereStreamEvent raw) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = model, // Cohere's events do not name the model
        RawRepresentation = raw,
    };

    private sealed class PendingCall(string? id, string? name)
    {
        public string? Id { get; } = id;

        public string? Name { get; } = name;

        public StringBuilder Arguments { get; } = new();
    }
}
