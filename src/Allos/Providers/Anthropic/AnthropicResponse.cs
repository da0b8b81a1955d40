using System.Text.Json;

namespace Allos.Providers.Anthropic;

// Response DTOs: a whole message, the streamed events, and the error body. Unknown fields are ignored.

internal sealed class AnthropicResponse
{
    public string? Id { get; set; }

    /// <summary><c>message</c>, or <c>error</c> when the body is an error.</summary>
    public string? Type { get; set; }

    public string? Role { get; set; }

    public string? Model { get; set; }

    public List<AnthropicResponseBlock>? Content { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }

    public AnthropicUsage? Usage { get; set; }

    public AnthropicError? Error { get; set; }

    public string? RequestId { get; set; }
}

/// <summary>A content block of a response, or the <c>content_block</c> of a <c>content_block_start</c> event.</summary>
internal sealed class AnthropicResponseBlock
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement Input { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? Data { get; set; }

    /// <summary>The server tool call a <c>web_search_tool_result</c> answers.</summary>
    public string? ToolUseId { get; set; }

    /// <summary>A <c>web_search_tool_result</c>'s results (an array), or its error (an object).</summary>
    public JsonElement Content { get; set; }

    /// <summary>The sources a text block cites.</summary>
    public List<AnthropicCitation>? Citations { get; set; }
}

/// <summary>A text block's citation: <c>web_search_result_location</c> (a page) or a document location.</summary>
internal sealed class AnthropicCitation
{
    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }

    public string? DocumentTitle { get; set; }

    public string? CitedText { get; set; }
}

/// <summary>Token counts. In streams each field is cumulative: a later value replaces an earlier one.</summary>
internal sealed class AnthropicUsage
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? CacheCreationInputTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }

    public AnthropicOutputTokensDetails? OutputTokensDetails { get; set; }

    public AnthropicServerToolUse? ServerToolUse { get; set; }
}

/// <summary>How often server tools ran; web searches are billed per request on top of tokens.</summary>
internal sealed class AnthropicServerToolUse
{
    public long? WebSearchRequests { get; set; }
}

internal sealed class AnthropicOutputTokensDetails
{
    public long? ThinkingTokens { get; set; }
}

/// <summary>One SSE event of a streamed message; dispatched on <see cref="Type"/>.</summary>
internal sealed class AnthropicStreamEvent
{
    public string? Type { get; set; }

    /// <summary>The message of <c>message_start</c> (empty content, initial usage).</summary>
    public AnthropicResponse? Message { get; set; }

    public int? Index { get; set; }

    public AnthropicResponseBlock? ContentBlock { get; set; }

    public AnthropicDelta? Delta { get; set; }

    /// <summary>The cumulative usage of <c>message_delta</c>.</summary>
    public AnthropicUsage? Usage { get; set; }

    public AnthropicError? Error { get; set; }
}

/// <summary>The <c>delta</c> of <c>content_block_delta</c> (typed) or of <c>message_delta</c> (stop reason).</summary>
internal sealed class AnthropicDelta
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? PartialJson { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    /// <summary>A <c>citations_delta</c>'s citation.</summary>
    public AnthropicCitation? Citation { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }
}

internal sealed class AnthropicError
{
    public string? Type { get; set; }

    public string? Message { get; set; }

    /// <summary>Extra detail, for example <c>{"error_code":"enforced_spend_limit_reached"}</c>; often <c>null</c> or absent.</summary>
    public JsonElement Details { get; set; }
}
