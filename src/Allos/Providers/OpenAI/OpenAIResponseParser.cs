using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Maps Chat Completions responses (whole or streamed) to Microsoft.Extensions.AI types.</summary>
internal static class OpenAIResponseParser
{
    /// <summary>A search model's <c>url_citation</c> annotations as <see cref="CitationAnnotation"/>s; <see langword="null"/> when there are none.</summary>
    public static List<AIAnnotation>? Citations(List<OpenAIAnnotation>? annotations)
    {
        List<AIAnnotation>? citations = null;
        foreach (OpenAIAnnotation annotation in annotations ?? [])
        {
            if (annotation.UrlCitation is { } url)
            {
                (citations ??= []).Add(HostedSearch.Citation(url.Url, url.Title, null, url.StartIndex, url.EndIndex, annotation));
            }
        }

        return citations;
    }

    public static ChatResponse ToChatResponse(OpenAIResponse response, string provider)
    {
        ThrowIfError(response, provider);
        if (response.Choices is not { Count: > 0 } choices || choices[0] is not { } choice)
        {
            throw ProviderTransport.NotAResponse(provider, "\"choices\"");
        }

        var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = response.Id };
        ChatFinishReason? finish = MapFinishReason(choice.FinishReason);
        if (choice.Message is { } m)
        {
            if ((m.ReasoningContent ?? m.Reasoning ?? m.Content.Thinking) is { Length: > 0 } reasoning)
            {
                message.Contents.Add(new TextReasoningContent(reasoning));
            }

            if (m.Content.Text is { Length: > 0 } text)
            {
                message.Contents.Add(new TextContent(text) { Annotations = Citations(m.Annotations) });
            }

            if (m.Refusal is { Length: > 0 } refusal)
            {
                message.Contents.Add(new TextContent(refusal));
                finish = ChatFinishReason.ContentFilter;
            }

            int position = 0;
            foreach (OpenAIToolCall call in m.ToolCalls ?? [])
            {
                message.Contents.Add(WireContent.ParseCall(call.Id ?? WireContent.NewCallId(), call.Function?.Name ?? "", call.Function?.Arguments));
                position++;
            }

            if (position > 0 && finish == ChatFinishReason.Stop)
            {
                finish = ChatFinishReason.ToolCalls;
            }
        }

        return new ChatResponse(message)
        {
            ResponseId = response.Id,
            ModelId = response.Model,
            CreatedAt = ToTime(response.Created),
            FinishReason = finish,
            Usage = MapUsage(response.Usage ?? response.XGroq?.Usage),
            RawRepresentation = response,
        };
    }

    /// <summary>Throws when a body or chunk is an error: <c>{"error":{…}}</c>, or vLLM's and Mistral's bare <c>{"object":"error",…}</c>.</summary>
    public static void ThrowIfError(OpenAIResponse response, string provider)
    {
        if (response.Error.ValueKind is System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.String)
        {
            throw OpenAIErrorParser.FromErrorValue(response.Error, status: null).ToException(provider, null, null, null);
        }

        if (response.Object == "error")
        {
            throw OpenAIErrorParser.FromFlatBody(response.Message, response.Type, response.Code, status: null).ToException(provider, null, null, null);
        }
    }

    public static ChatFinishReason? MapFinishReason(string? reason) => reason switch
    {
        null => null,
        "stop" => ChatFinishReason.Stop,
        "length" or "model_length" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    public static UsageDetails? MapUsage(OpenAIUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        long? reasoning = usage.CompletionTokensDetails?.ReasoningTokens;
        long? output = usage.CompletionTokens;

        // xAI counts reasoning outside completion_tokens (total = prompt + completion + reasoning); OpenAI counts it inside.
        if (reasoning > 0 && usage.TotalTokens == usage.PromptTokens + usage.CompletionTokens + reasoning)
        {
            output += reasoning;
        }

        return new UsageDetails
        {
            InputTokenCount = usage.PromptTokens,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokens ?? usage.PromptTokens + output,
            CachedInputTokenCount = usage.PromptTokensDetails?.CachedTokens ?? usage.PromptCacheHitTokens,
            ReasoningTokenCount = reasoning,
        };
    }

    public static DateTimeOffset? ToTime(long? unixSeconds) =>
        unixSeconds is > 0 and long seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
