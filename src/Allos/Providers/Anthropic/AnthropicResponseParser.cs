using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>Maps Messages API responses (whole or streamed) to Microsoft.Extensions.AI types.</summary>
internal static class AnthropicResponseParser
{
    /// <summary>Set on a response's <see cref="ChatResponse.AdditionalProperties"/> to the raw <c>stop_reason</c> when it carries more than the finish reason says.</summary>
    public const string StopReasonKey = "anthropic.stop_reason";

    public static ChatResponse ToChatResponse(AnthropicResponse response, string provider, string? jsonToolName)
    {
        if (response.Content is null)
        {
            throw ProviderTransport.NotAResponse(provider, "\"content\"");
        }

        var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = response.Id };
        bool calls = false, jsonAnswer = false;
        foreach (AnthropicResponseBlock block in response.Content ?? [])
        {
            switch (block.Type)
            {
                case "text" when !string.IsNullOrEmpty(block.Text):
                    message.Contents.Add(new TextContent(block.Text));
                    break;
                case "thinking":
                    message.Contents.Add(Thinking(block.Thinking ?? "", block.Signature));
                    break;
                case "redacted_thinking" when block.Data is not null:
                    message.Contents.Add(RedactedThinking(block.Data));
                    break;
                case "tool_use" when jsonToolName is not null && block.Name == jsonToolName:
                    message.Contents.Add(new TextContent(block.Input.ValueKind == JsonValueKind.Undefined ? "{}" : block.Input.GetRawText()));
                    jsonAnswer = true;
                    break;
                case "tool_use":
                    message.Contents.Add(WireContent.CallFromElement(block.Id ?? "", block.Name ?? "", block.Input));
                    calls = true;
                    break;

                    // Server tools, citations-only blocks and block types added later carry nothing we can represent: ignored.
            }
        }

        var chat = new ChatResponse(message)
        {
            ResponseId = response.Id,
            ModelId = response.Model,
            FinishReason = MapFinishReason(response.StopReason, calls, jsonAnswer),
            Usage = MapUsage(response.Usage),
            RawRepresentation = response,
        };

        chat.AdditionalProperties = StopDetails(response.StopReason, response.StopSequence);
        return chat;
    }

    /// <summary>The raw stop reason when the finish reason loses it: <c>pause_turn</c>, or <c>stop_sequence</c> with the sequence.</summary>
    public static AdditionalPropertiesDictionary? StopDetails(string? stopReason, string? stopSequence) => stopReason switch
    {
        "pause_turn" => new() { [StopReasonKey] = "pause_turn" },
        "stop_sequence" => new() { [StopReasonKey] = "stop_sequence", [AnthropicProperties.StopSequenceKey] = stopSequence },
        _ => null,
    };

    public static TextReasoningContent Thinking(string text, string? signature) =>
        new(text) { ProtectedData = string.IsNullOrEmpty(signature) ? null : signature };

    public static TextReasoningContent RedactedThinking(string data) => new("")
    {
        ProtectedData = data,
        AdditionalProperties = new() { [AnthropicRequestBuilder.RedactedThinkingKey] = true },
    };

    /// <summary>Maps <c>stop_reason</c>; a plain stop with tool calls is reported as tool calls, a forced JSON answer as a stop.</summary>
    public static ChatFinishReason? MapFinishReason(string? reason, bool hasCalls, bool jsonAnswer)
    {
        ChatFinishReason? finish = reason switch
        {
            null => null,
            "end_turn" or "stop_sequence" or "pause_turn" => ChatFinishReason.Stop,
            "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
            "tool_use" => ChatFinishReason.ToolCalls,
            "refusal" => ChatFinishReason.ContentFilter,
            _ => new ChatFinishReason(reason),
        };

        if (finish == ChatFinishReason.ToolCalls && !hasCalls && jsonAnswer)
        {
            return ChatFinishReason.Stop;
        }

        return finish == ChatFinishReason.Stop && hasCalls ? ChatFinishReason.ToolCalls : finish;
    }

    public static UsageDetails? MapUsage(AnthropicUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        // input_tokens excludes cache reads and writes; the total input is the sum of the three.
        long? cacheWrite = usage.CacheCreationInputTokens;
        long? cacheRead = usage.CacheReadInputTokens;
        long? input = usage.InputTokens is null && cacheWrite is null && cacheRead is null
            ? null
            : (usage.InputTokens ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = usage.OutputTokens,
            TotalTokenCount = input is null && usage.OutputTokens is null ? null : (input ?? 0) + (usage.OutputTokens ?? 0),
            CachedInputTokenCount = cacheRead,
            ReasoningTokenCount = usage.OutputTokensDetails?.ThinkingTokens,
        };

        if (cacheWrite > 0)
        {
            details.AdditionalCounts = new() { ["CacheWriteInputTokenCount"] = cacheWrite.Value };
        }

        return details;
    }
}
