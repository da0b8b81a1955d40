using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>Maps Converse responses (whole or streamed) to Microsoft.Extensions.AI types.</summary>
internal static class BedrockResponseParser
{
    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key of Bedrock's <c>metrics.latencyMs</c>.</summary>
    public const string LatencyKey = "bedrock.latency_ms";

    public static ChatResponse ToChatResponse(BedrockResponse response, string provider, string model)
    {
        if (response.Output?.Message is not { } m)
        {
            throw ProviderTransport.NotAResponse(provider, "\"output.message\"");
        }

        var message = new ChatMessage(ChatRole.Assistant, []);
        bool calls = false;
        foreach (BedrockContentBlock block in m.Content ?? [])
        {
            if (block.Text is { Length: > 0 } text)
            {
                message.Contents.Add(new TextContent(text));
            }
            else if (block.ToolUse is { } use)
            {
                message.Contents.Add(WireContent.CallFromElement(use.ToolUseId ?? WireContent.NewCallId(), use.Name ?? "", use.Input));
                calls = true;
            }
            else if (block.ReasoningContent is { } reasoning && Reasoning(reasoning.ReasoningText?.Text, reasoning.ReasoningText?.Signature, reasoning.RedactedContent) is { } content)
            {
                message.Contents.Add(content);
            }
        }

        var chat = new ChatResponse(message)
        {
            ModelId = model, // Converse's response does not name the model
            FinishReason = MapFinishReason(response.StopReason, calls),
            Usage = MapUsage(response.Usage),
            RawRepresentation = response,
        };
        if (response.Metrics?.LatencyMs is long latency)
        {
            chat.AdditionalProperties = new() { [LatencyKey] = latency };
        }

        return chat;
    }

    /// <summary>Reasoning with its signature, which Claude needs back unchanged; redacted reasoning keeps its bytes in <see cref="TextReasoningContent.ProtectedData"/>.</summary>
    public static TextReasoningContent? Reasoning(string? text, string? signature, string? redacted)
    {
        if (!string.IsNullOrEmpty(redacted))
        {
            return new TextReasoningContent("") { ProtectedData = redacted, AdditionalProperties = new() { [BedrockMessages.RedactedReasoningKey] = true } };
        }

        return string.IsNullOrEmpty(text) && string.IsNullOrEmpty(signature)
            ? null
            : new TextReasoningContent(text ?? "") { ProtectedData = string.IsNullOrEmpty(signature) ? null : signature };
    }

    /// <summary>Maps <c>stopReason</c>; a plain end with tool calls is reported as tool calls.</summary>
    public static ChatFinishReason? MapFinishReason(string? reason, bool hasCalls)
    {
        ChatFinishReason? finish = reason switch
        {
            null => null,
            "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
            "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
            "tool_use" => ChatFinishReason.ToolCalls,
            "guardrail_intervened" or "content_filtered" => ChatFinishReason.ContentFilter,
            _ => new ChatFinishReason(reason),
        };

        if (finish == ChatFinishReason.ToolCalls && !hasCalls)
        {
            return ChatFinishReason.Stop;
        }

        return finish == ChatFinishReason.Stop && hasCalls ? ChatFinishReason.ToolCalls : finish;
    }

    /// <summary><c>inputTokens</c> excludes the cache's reads and writes (as Anthropic's does); the input is the sum of the three.</summary>
    public static UsageDetails? MapUsage(BedrockUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        return CacheUsage.Details(usage.InputTokens, usage.CacheWriteInputTokens, usage.CacheReadInputTokens, usage.OutputTokens, usage.TotalTokens);
    }
}
