using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>Maps Messages API responses (whole or streamed) to Microsoft.Extensions.AI types.</summary>
internal static class AnthropicResponseParser
{
    /// <summary>Set on a response's <see cref="ChatResponse.AdditionalProperties"/> to the raw <c>stop_reason</c> when it carries more than the finish reason says.</summary>
    public const string StopReasonKey = "anthropic.stop_reason";

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> entry counting the web searches the server ran (billed per search).</summary>
    public const string WebSearchRequestsKey = Models.CostCalculator.WebSearchRequestsKey;

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
                    message.Contents.Add(new TextContent(block.Text) { Annotations = Citations(block.Citations) });
                    break;
                case "server_tool_use" or "web_search_tool_result" when WebSearch(block) is { } search:
                    message.Contents.Add(search);
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

                    // Other server tools and block types added later carry nothing we can represent: ignored.
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

    /// <summary>
    /// A web search the server ran (<c>server_tool_use</c>) or what it found (<c>web_search_tool_result</c>), keeping the
    /// block itself (<see cref="HostedSearch.RawBlockKey"/>) so the next turn sends it back as the API expects.
    /// </summary>
    public static AIContent? WebSearch(AnthropicResponseBlock block)
    {
        AIContent content;
        if (block.Type == "server_tool_use")
        {
            if (block.Name != "web_search")
            {
                return null;
            }

            string? query = block.Input.ValueKind == JsonValueKind.Object && block.Input.TryGetProperty("query", out JsonElement q) ? WireContent.AsText(q) : null;
            content = HostedSearch.Call(block.Id ?? "", query is null ? null : [query], block);
        }
        else
        {
            var pages = new List<(string, string?)>();
            if (block.Content.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement result in block.Content.EnumerateArray())
                {
                    if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("url", out JsonElement url) && url.ValueKind == JsonValueKind.String)
                    {
                        pages.Add((url.GetString()!, result.TryGetProperty("title", out JsonElement title) ? WireContent.AsText(title) : null));
                    }
                }
            }

            content = HostedSearch.Result(block.ToolUseId ?? "", pages, block);
        }

        content.AdditionalProperties = new() { [HostedSearch.RawBlockKey] = RawBlock(block) };
        return content;
    }

    /// <summary>The block as the API takes it back: the call's id, name and input, or the result's call id and content.</summary>
    private static JsonElement RawBlock(AnthropicResponseBlock block)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, block.Type);
            if (block.Type == "server_tool_use")
            {
                json.WriteString("id"u8, block.Id);
                json.WriteString("name"u8, block.Name);
                json.WritePropertyName("input"u8);
                if (block.Input.ValueKind == JsonValueKind.Object)
                {
                    block.Input.WriteTo(json);
                }
                else
                {
                    json.WriteStartObject();
                    json.WriteEndObject();
                }
            }
            else
            {
                json.WriteString("tool_use_id"u8, block.ToolUseId);
                json.WritePropertyName("content"u8);
                if (block.Content.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
                {
                    block.Content.WriteTo(json);
                }
                else
                {
                    json.WriteStartArray();
                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>A text block's citations as <see cref="CitationAnnotation"/>s; <see langword="null"/> when it has none.</summary>
    public static List<AIAnnotation>? Citations(IEnumerable<AnthropicCitation>? citations)
    {
        List<AIAnnotation>? annotations = null;
        foreach (AnthropicCitation citation in citations ?? [])
        {
            (annotations ??= []).Add(HostedSearch.Citation(citation.Url, citation.Title ?? citation.DocumentTitle, citation.CitedText, null, null, citation));
        }

        return annotations;
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
        UsageDetails details = CacheUsage.Details(usage.InputTokens, usage.CacheCreationInputTokens, usage.CacheReadInputTokens, usage.OutputTokens);
        details.ReasoningTokenCount = usage.OutputTokensDetails?.ThinkingTokens;

        if (usage.ServerToolUse?.WebSearchRequests is > 0 and long searches)
        {
            (details.AdditionalCounts ??= [])[WebSearchRequestsKey] = searches;
        }

        return details;
    }
}
