using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>Maps v2 Chat responses (whole or streamed) to Microsoft.Extensions.AI types.</summary>
internal static class CohereResponseParser
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> keys of the tokens the model actually read and wrote (<c>usage.tokens</c>).</summary>
    public const string ModelInputTokensKey = "cohere.tokens.input_tokens";

    /// <inheritdoc cref="ModelInputTokensKey"/>
    public const string ModelOutputTokensKey = "cohere.tokens.output_tokens";

    public static ChatResponse ToChatResponse(CohereResponse response, ProviderTransport transport)
    {
        string provider = transport.Provider;
        if (response.Message is not { } m)
        {
            throw ProviderTransport.NotAResponse(provider, "\"message\"");
        }

        ThrowIfFailed(response.FinishReason, error: null, transport);
        var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = response.Id };
        if (m.ToolPlan is { Length: > 0 } plan)
        {
            message.Contents.Add(new TextReasoningContent(plan));
        }

        TextContent? firstText = null;
        foreach (CohereResponseContent content in m.Content ?? [])
        {
            if (content.Type == "thinking" && content.Thinking is { Length: > 0 } thinking)
            {
                message.Contents.Add(new TextReasoningContent(thinking));
            }
            else if (content.Type == "text" && content.Text is { Length: > 0 } text)
            {
                var part = new TextContent(text);
                firstText ??= part;
                message.Contents.Add(part);
            }
        }

        // Citations index into the answer text; with one text block (the usual case) they annotate it.
        if (firstText is not null && Annotations(m.Citations) is { } annotations)
        {
            firstText.Annotations = annotations;
        }

        bool calls = false;
        foreach (CohereToolCall call in m.ToolCalls ?? [])
        {
            message.Contents.Add(WireContent.ParseCall(call.Id ?? WireContent.NewCallId(), call.Function?.Name ?? "", call.Function?.Arguments));
            calls = true;
        }

        return new ChatResponse(message)
        {
            ResponseId = response.Id,
            FinishReason = MapFinishReason(response.FinishReason, calls),
            Usage = MapUsage(response.Usage),
            RawRepresentation = response,
        };
    }

    /// <summary>
    /// A generation Cohere reports as failed (<c>ERROR</c>, <c>TIMEOUT</c>) is an incomplete answer: it leaves as the
    /// transient error it is, so a Router retries or falls back instead of handing on a cut answer.
    /// </summary>
    public static void ThrowIfFailed(string? finishReason, string? error, ProviderTransport transport)
    {
        ErrorKind? kind = finishReason switch
        {
            "ERROR" => ErrorKind.Server,
            "TIMEOUT" => ErrorKind.Timeout,
            _ => null,
        };

        if (kind is ErrorKind k)
        {
            string message = string.IsNullOrEmpty(error) ? $"the generation ended with finish_reason {finishReason}; the answer is incomplete." : error;
            throw transport.CreateStreamError(new ProviderError(k, message, finishReason));
        }
    }

    /// <summary>Maps citations to <see cref="CitationAnnotation"/>s, one per source (or one without a source).</summary>
    public static List<AIAnnotation>? Annotations(IEnumerable<CohereCitation>? citations)
    {
        List<AIAnnotation>? annotations = null;
        foreach (CohereCitation citation in citations ?? [])
        {
            if (citation.Sources is not { Count: > 0 } sources)
            {
                (annotations ??= []).Add(Annotation(citation, null));
                continue;
            }

            foreach (CohereSource source in sources)
            {
                (annotations ??= []).Add(Annotation(citation, source));
            }
        }

        return annotations;
    }

    private static CitationAnnotation Annotation(CohereCitation citation, CohereSource? source)
    {
        var annotation = new CitationAnnotation
        {
            Snippet = citation.Text,
            FileId = source?.Id,
            ToolName = source?.Type == "tool" && source.ToolOutput.ValueKind == JsonValueKind.Object && source.ToolOutput.TryGetProperty("tool_name", out JsonElement name)
                ? WireContent.AsText(name)
                : null,
            Title = source?.Type == "document" && source.Document.ValueKind == JsonValueKind.Object && source.Document.TryGetProperty("title", out JsonElement title)
                ? WireContent.AsText(title)
                : null,
            RawRepresentation = citation,
        };

        if (citation.Start is int start && citation.End is int end)
        {
            annotation.AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = start, EndIndex = end }];
        }

        return annotation;
    }

    /// <summary>Maps <c>finish_reason</c>; a plain end with tool calls is reported as tool calls.</summary>
    public static ChatFinishReason? MapFinishReason(string? reason, bool hasCalls)
    {
        ChatFinishReason? finish = reason switch
        {
            null => null,
            "COMPLETE" or "STOP_SEQUENCE" => ChatFinishReason.Stop,
            "MAX_TOKENS" => ChatFinishReason.Length,
            "TOOL_CALL" => ChatFinishReason.ToolCalls,
            "ERROR_TOXIC" => ChatFinishReason.ContentFilter, // v1's name for output its safety filter stopped
            _ => new ChatFinishReason(reason),
        };

        if (finish == ChatFinishReason.ToolCalls && !hasCalls)
        {
            return ChatFinishReason.Stop;
        }

        return finish == ChatFinishReason.Stop && hasCalls ? ChatFinishReason.ToolCalls : finish;
    }

    /// <summary>
    /// The billed units are the counts: they are what Cohere charges for, so costs computed from them match the invoice.
    /// The model's own token counts (prompt template and tool declarations included) ride in <see cref="UsageDetails.AdditionalCounts"/>.
    /// </summary>
    public static UsageDetails? MapUsage(CohereUsage? usage)
    {
        if (usage is null || (usage.BilledUnits is null && usage.Tokens is null))
        {
            return null;
        }

        long? input = usage.BilledUnits?.InputTokens ?? usage.Tokens?.InputTokens;
        long? output = usage.BilledUnits?.OutputTokens ?? usage.Tokens?.OutputTokens;
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input is null && output is null ? null : (input ?? 0) + (output ?? 0),
        };

        if (usage.Tokens is { } tokens)
        {
            details.AdditionalCounts = [];
            if (tokens.InputTokens is long modelInput)
            {
                details.AdditionalCounts[ModelInputTokensKey] = modelInput;
            }

            if (tokens.OutputTokens is long modelOutput)
            {
                details.AdditionalCounts[ModelOutputTokensKey] = modelOutput;
            }
        }

        return details;
    }
}
