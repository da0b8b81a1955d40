using System.Text;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>
/// Turns Messages API stream events into updates. Text and thinking pass through as they arrive; a thinking block's
/// signature follows as one empty <see cref="TextReasoningContent"/> carrying <see cref="TextReasoningContent.ProtectedData"/>
/// (Microsoft.Extensions.AI's coalescing merges it into the block's text, keeping the signature); tool calls are emitted
/// whole at their <c>content_block_stop</c>; usage and the finish reason come with <c>message_stop</c>.
/// </summary>
/// <remarks>
/// <c>message_start</c>, a tool call's <c>content_block_start</c> and its <c>input_json_delta</c> pieces also yield an update
/// with no contents whose <see cref="ChatResponseUpdate.RawRepresentation"/> is the event: consumers that ignore raw events
/// see nothing new, and the gateway passes the early input usage and the arguments' pieces on as they come.
/// Not thread-safe: one instance per stream.
/// </remarks>
internal sealed class AnthropicStreamAssembler(string? jsonToolName)
{
    private readonly Dictionary<int, Block> _blocks = [];
    private readonly AnthropicUsage _usage = new();
    private bool _hasUsage;
    private string? _messageId;
    private string? _model;
    private string? _stopReason;
    private string? _stopSequence;
    private bool _calls;
    private bool _jsonAnswer;

    /// <summary>Gets a value indicating whether <c>message_delta</c> brought the stop reason: the answer is whole even if <c>message_stop</c> never comes.</summary>
    public bool HasStopReason => _stopReason is not null;

    /// <summary>Gets a value indicating whether <c>message_stop</c> arrived.</summary>
    public bool Completed { get; private set; }

    /// <summary>Handles one event other than <c>error</c>; returns the update to yield, or <see langword="null"/>.</summary>
    public ChatResponseUpdate? Add(AnthropicStreamEvent e, string type)
    {
        switch (type)
        {
            case "message_start":
                _messageId = e.Message?.Id;
                _model = e.Message?.Model;
                MergeUsage(e.Message?.Usage);
                return NewUpdate([], e);
            case "content_block_start" when e.ContentBlock is { } start:
                return Start(e.Index ?? _blocks.Count, start, e);
            case "content_block_delta" when e.Delta is { } delta:
                return Delta(e.Index ?? _blocks.Count - 1, delta, e);
            case "content_block_stop":
                return Stop(e.Index ?? _blocks.Count - 1, e);
            case "message_delta":
                _stopReason = e.Delta?.StopReason ?? _stopReason;
                _stopSequence = e.Delta?.StopSequence ?? _stopSequence;
                MergeUsage(e.Usage);
                return null;
            case "message_stop":
                Completed = true;
                return Complete(e);
            default:
                return null; // ping, and event types added later
        }
    }

    /// <summary>
    /// Handles a <c>text_delta</c> read without a DTO (see <see cref="AnthropicEventReader"/>): the update <see cref="Add"/>
    /// would return for it, without the raw event (it was never built).
    /// </summary>
    public ChatResponseUpdate? AddTextDelta(int index, string? text) =>
        _blocks.TryGetValue(index, out Block? block) && block.Type == "text" && !string.IsNullOrEmpty(text)
            ? NewUpdate([new TextContent(text)], raw: null)
            : null;

    private ChatResponseUpdate? Start(int index, AnthropicResponseBlock start, AnthropicStreamEvent raw)
    {
        var block = new Block(start.Type ?? "", start.Id, start.Name);
        _blocks[index] = block;
        switch (block.Type)
        {
            case "text" when !string.IsNullOrEmpty(start.Text):
                return NewUpdate([new TextContent(start.Text)], raw);
            case "thinking":
                block.Signature = start.Signature;
                return string.IsNullOrEmpty(start.Thinking) ? null : NewUpdate([new TextReasoningContent(start.Thinking)], raw);
            case "redacted_thinking":
                block.Signature = start.Data;
                return null;
            case "tool_use" when !IsJsonAnswer(block):
                return NewUpdate([], raw);
            case "web_search_tool_result":
                return AnthropicResponseParser.WebSearch(start) is { } result ? NewUpdate([result], raw) : null;
            default:
                return null; // server_tool_use is emitted whole at its stop
        }
    }

    private ChatResponseUpdate? Delta(int index, AnthropicDelta delta, AnthropicStreamEvent raw)
    {
        if (!_blocks.TryGetValue(index, out Block? block))
        {
            return null;
        }

        switch (delta.Type)
        {
            case "text_delta" when block.Type == "text" && !string.IsNullOrEmpty(delta.Text):
                return NewUpdate([new TextContent(delta.Text)], raw);
            case "thinking_delta" when block.Type == "thinking" && !string.IsNullOrEmpty(delta.Thinking):
                return NewUpdate([new TextReasoningContent(delta.Thinking)], raw);
            case "signature_delta" when block.Type == "thinking":
                block.Signature = delta.Signature;
                return null;
            case "input_json_delta" when block.Type == "tool_use":
                block.Json.Append(delta.PartialJson);
                return IsJsonAnswer(block) || string.IsNullOrEmpty(delta.PartialJson) ? null : NewUpdate([], raw);
            case "input_json_delta" when block.Type == "server_tool_use":
                block.Json.Append(delta.PartialJson);
                return null;
            case "citations_delta" when block.Type == "text" && delta.Citation is { } citation:
                return NewUpdate([new TextContent("") { Annotations = AnthropicResponseParser.Citations([citation]) }], raw);
            default:
                return null; // delta types added later
        }
    }

    private ChatResponseUpdate? Stop(int index, AnthropicStreamEvent raw)
    {
        if (!_blocks.TryGetValue(index, out Block? block))
        {
            return null;
        }

        switch (block.Type)
        {
            case "thinking" when !string.IsNullOrEmpty(block.Signature):
                return NewUpdate([AnthropicResponseParser.Thinking("", block.Signature)], raw);
            case "redacted_thinking" when block.Signature is not null:
                return NewUpdate([AnthropicResponseParser.RedactedThinking(block.Signature)], raw);
            case "tool_use":
                // A tool without arguments may stream nothing but partial_json "": that is {}.
                string json = block.Json.Length == 0 ? "{}" : block.Json.ToString();
                if (IsJsonAnswer(block))
                {
                    _jsonAnswer = true;
                    return NewUpdate([new TextContent(json)], raw);
                }

                _calls = true;
                return NewUpdate([WireContent.ParseCall(block.Id ?? "", block.Name ?? "", json)], raw);
            case "server_tool_use":
                var search = new AnthropicResponseBlock { Type = block.Type, Id = block.Id, Name = block.Name, Input = ParseInput(block.Json) };
                return AnthropicResponseParser.WebSearch(search) is { } call ? NewUpdate([call], raw) : null;
            default:
                return null;
        }
    }

    private ChatResponseUpdate Complete(AnthropicStreamEvent raw)
    {
        List<AIContent> contents = [];
        if (_hasUsage && AnthropicResponseParser.MapUsage(_usage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }

        ChatResponseUpdate update = NewUpdate(contents, raw);
        update.FinishReason = AnthropicResponseParser.MapFinishReason(_stopReason, _calls, _jsonAnswer);
        update.AdditionalProperties = AnthropicResponseParser.StopDetails(_stopReason, _stopSequence);

        return update;
    }

    /// <summary>A server tool's streamed input; <c>{}</c> when none came, or it does not parse (the search ran anyway).</summary>
    private static System.Text.Json.JsonElement ParseInput(StringBuilder json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json.Length == 0 ? "{}" : json.ToString());
            return document.RootElement.Clone();
        }
        catch (System.Text.Json.JsonException)
        {
            using var empty = System.Text.Json.JsonDocument.Parse("{}");
            return empty.RootElement.Clone();
        }
    }

    /// <summary>Whether the block is the tool that carries a JSON answer (sent as text, never as a call).</summary>
    private bool IsJsonAnswer(Block block) => jsonToolName is not null && block.Name == jsonToolName;

    /// <summary>Usage counts are cumulative: each value present replaces the earlier one, nothing is summed.</summary>
    private void MergeUsage(AnthropicUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        _hasUsage = true;
        _usage.InputTokens = usage.InputTokens ?? _usage.InputTokens;
        _usage.OutputTokens = usage.OutputTokens ?? _usage.OutputTokens;
        _usage.CacheCreationInputTokens = usage.CacheCreationInputTokens ?? _usage.CacheCreationInputTokens;
        _usage.CacheReadInputTokens = usage.CacheReadInputTokens ?? _usage.CacheReadInputTokens;
        if (usage.OutputTokensDetails?.ThinkingTokens is long thinking)
        {
            _usage.OutputTokensDetails = new AnthropicOutputTokensDetails { ThinkingTokens = thinking };
        }

        _usage.ServerToolUse = usage.ServerToolUse ?? _usage.ServerToolUse;
    }

    private ChatResponseUpdate NewUpdate(List<AIContent> contents, AnthropicStreamEvent? raw) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _messageId,
        MessageId = _messageId,
        ModelId = _model,
        RawRepresentation = raw,
    };

    private sealed class Block(string type, string? id, string? name)
    {
        public string Type { get; } = type;

        public string? Id { get; } = id;

        public string? Name { get; } = name;

        /// <summary>The thinking signature, or a redacted block's data.</summary>
        public string? Signature { get; set; }

        public StringBuilder Json { get; } = new();
    }
}
