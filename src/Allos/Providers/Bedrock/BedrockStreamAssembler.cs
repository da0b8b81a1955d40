using System.Text;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>
/// Turns ConverseStream events into updates. Text and reasoning pass through as they arrive; a reasoning block's
/// signature follows as one empty <see cref="TextReasoningContent"/> carrying <see cref="TextReasoningContent.ProtectedData"/>
/// (Microsoft.Extensions.AI's coalescing merges it into the block's text); each tool call is emitted whole at its
/// <c>contentBlockStop</c>; the finish reason comes with <c>messageStop</c> and the usage with <c>metadata</c>.
/// </summary>
/// <remarks>Not thread-safe: one instance per stream.</remarks>
internal sealed class BedrockStreamAssembler(string model)
{
    private readonly Dictionary<int, PendingBlock> _blocks = [];
    private readonly string _responseId = Guid.NewGuid().ToString("N"); // Converse names no response: one id ties the updates together
    private bool _hasCalls;

    /// <summary>Gets a value indicating whether <c>messageStop</c> arrived: the answer is whole.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Gets a value indicating whether <c>metadata</c> (the last event) arrived.</summary>
    public bool Completed { get; private set; }

    public ChatResponseUpdate? Add(BedrockStreamEvent e, string type)
    {
        int index = e.ContentBlockIndex ?? 0;
        switch (type)
        {
            case "messageStart":
                return NewUpdate([], e);
            case "contentBlockStart" when e.Start?.ToolUse is { } use:
                _blocks[index] = new PendingBlock { CallId = use.ToolUseId, Name = use.Name };
                return null;
            case "contentBlockDelta" when e.Delta is { } delta:
                if (delta.Text is { Length: > 0 } text)
                {
                    return NewUpdate([new TextContent(text)], e);
                }

                if (delta.ToolUse?.Input is { Length: > 0 } input)
                {
                    Block(index).Arguments.Append(input);
                    return null;
                }

                if (delta.ReasoningContent is { } reasoning)
                {
                    if (!string.IsNullOrEmpty(reasoning.Signature))
                    {
                        Block(index).Signature = reasoning.Signature;
                    }

                    if (!string.IsNullOrEmpty(reasoning.RedactedContent))
                    {
                        return NewUpdate([BedrockResponseParser.Reasoning(null, null, reasoning.RedactedContent)!], e);
                    }

                    return reasoning.Text is { Length: > 0 } thinking ? NewUpdate([new TextReasoningContent(thinking)], e) : null;
                }

                return null;
            case "contentBlockStop":
                return _blocks.Remove(index, out PendingBlock? done) ? Close(done, e) : null;
            case "messageStop":
                Stopped = true;
                List<AIContent> contents = [];

                // Calls never closed by contentBlockStop are still the model's calls.
                foreach (PendingBlock block in _blocks.Values)
                {
                    if (block.Name is not null)
                    {
                        contents.Add(Call(block));
                    }
                }

                _blocks.Clear();
                ChatResponseUpdate stop = NewUpdate(contents, e);
                stop.FinishReason = BedrockResponseParser.MapFinishReason(e.StopReason, _hasCalls);
                return stop;
            case "metadata":
                Completed = true;
                if (BedrockResponseParser.MapUsage(e.Usage) is not { } usage)
                {
                    return null;
                }

                ChatResponseUpdate final = NewUpdate([new UsageContent(usage)], e);
                if (e.Metrics?.LatencyMs is long latency)
                {
                    final.AdditionalProperties = new() { [BedrockResponseParser.LatencyKey] = latency };
                }

                return final;
            default:
                return null; // event types added later
        }
    }

    private PendingBlock Block(int index)
    {
        if (!_blocks.TryGetValue(index, out PendingBlock? block))
        {
            _blocks[index] = block = new PendingBlock();
        }

        return block;
    }

    private ChatResponseUpdate? Close(PendingBlock block, BedrockStreamEvent e)
    {
        if (block.Name is not null)
        {
            return NewUpdate([Call(block)], e);
        }

        return block.Signature is { } signature ? NewUpdate([BedrockResponseParser.Reasoning(null, signature, null)!], e) : null;
    }

    private FunctionCallContent Call(PendingBlock block)
    {
        _hasCalls = true;
        string arguments = block.Arguments.Length == 0 ? "{}" : block.Arguments.ToString();
        return WireContent.ParseCall(block.CallId ?? WireContent.NewCallId(), block.Name ?? "", arguments);
    }

    private ChatResponseUpdate NewUpdate(List<AIContent> contents, BedrockStreamEvent raw) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = model, // Converse's events do not name the model
        RawRepresentation = raw,
    };

    private sealed class PendingBlock
    {
        public string? CallId { get; init; }

        public string? Name { get; init; }

        public string? Signature { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
