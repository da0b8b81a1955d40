using System.Globalization;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>Maps <c>GenerateContentResponse</c> bodies and chunks to Microsoft.Extensions.AI types.</summary>
internal static class GeminiResponseParser
{
    public static ChatResponse ToChatResponse(GeminiResponse response, string provider)
    {
        ThrowIfError(response, provider);
        if (response.Candidates is not { Count: > 0 } && response.PromptFeedback is null)
        {
            throw ProviderTransport.NotAResponse(provider, "\"candidates\" and \"promptFeedback\"");
        }

        GeminiCandidate? candidate = response.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
        var contents = new List<AIContent>();
        bool hasCalls = AddParts(contents, candidate?.Content?.Parts, streaming: false);
        AddGrounding(contents, candidate?.GroundingMetadata, candidate?.Content?.Parts, streaming: false);
        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = response.ResponseId };
        var result = new ChatResponse(message)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelVersion,
            CreatedAt = ParseTime(response.CreateTime),
            FinishReason = MapFinishReason(candidate?.FinishReason, hasCalls),
            Usage = MapUsage(response.UsageMetadata),
            RawRepresentation = response,
        };

        if (candidate is null && response.PromptFeedback?.BlockReason is { } blockReason)
        {
            result.FinishReason = ChatFinishReason.ContentFilter;
            result.AdditionalProperties = new() { [GeminiProperties.BlockReason] = blockReason };
        }

        return result;
    }

    /// <summary>Throws when a body or chunk is a google.rpc.Status error instead of a response.</summary>
    public static void ThrowIfError(GeminiResponse response, string provider)
    {
        if (response.Error.ValueKind == JsonValueKind.Object)
        {
            throw GeminiErrorParser.FromError(response.Error, status: null).ToException(provider, null, null, null);
        }
    }

    /// <summary>
    /// Converts parts to contents, keeping each part's <c>thoughtSignature</c> with the content made from it.
    /// Returns whether a function call was among them.
    /// </summary>
    /// <param name="contents">Receives the contents.</param>
    /// <param name="parts">The parts, or <see langword="null"/>.</param>
    /// <param name="streaming">
    /// When <see langword="true"/>, a signature on a non-empty text part becomes a separate empty
    /// <see cref="TextReasoningContent"/>: <c>ToChatResponse()</c> merges adjacent text deltas keeping only the first
    /// one's AdditionalProperties, which would lose a signature that arrived on a later delta.
    /// </param>
    public static bool AddParts(List<AIContent> contents, List<GeminiPart>? parts, bool streaming)
    {
        bool hasCalls = false;
        foreach (GeminiPart part in parts ?? [])
        {
            string? signature = string.IsNullOrEmpty(part.ThoughtSignature) ? null : part.ThoughtSignature;
            if (part.FunctionCall is { } functionCall)
            {
                hasCalls = true;
                contents.Add(ToCall(functionCall, signature, part));
            }
            else if (part.Thought == true || (part.Text is "" or null && signature is not null && part.InlineData is null && part.FileData is null))
            {
                if (!string.IsNullOrEmpty(part.Text) || signature is not null)
                {
                    contents.Add(Reasoning(part.Text ?? "", signature));
                }
            }
            else if (part.Text is { Length: > 0 } text)
            {
                var content = new TextContent(text) { RawRepresentation = part };
                contents.Add(content);
                if (signature is not null)
                {
                    if (streaming)
                    {
                        contents.Add(Reasoning("", signature));
                    }
                    else
                    {
                        GeminiProperties.Set(content, GeminiProperties.ThoughtSignature, signature);
                    }
                }
            }
            else if (part.InlineData is { Data: { } data } blob)
            {
                contents.Add(new DataContent(Convert.FromBase64String(data), blob.MimeType ?? "application/octet-stream") { RawRepresentation = part });
            }
            else if (part.FileData is { FileUri: { } uri } file && Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed))
            {
                contents.Add(new UriContent(parsed, file.MimeType ?? "application/octet-stream") { RawRepresentation = part });
            }

            // Other part kinds (executableCode, codeExecutionResult) come only from hosted tools, which Allos does not send.
        }

        return hasCalls;
    }

    /// <summary>
    /// Adds what grounding with Google Search returned: the queries and the pages as a search call and its result (before
    /// the answer), and one <see cref="CitationAnnotation"/> per page and supported span. A whole response annotates the text
    /// of the part each span is in, with character offsets (Gemini counts bytes); a stream's grounding comes with its last
    /// chunks, so its citations ride on an empty <see cref="TextContent"/> and carry the supported text as their snippet.
    /// </summary>
    public static void AddGrounding(List<AIContent> contents, GeminiGroundingMetadata? grounding, List<GeminiPart>? parts, bool streaming)
    {
        if (grounding is null || (grounding.WebSearchQueries is not { Count: > 0 } && grounding.GroundingChunks is not { Count: > 0 }))
        {
            return;
        }

        string callId = WireContent.NewCallId();
        List<GeminiGroundingChunk> chunks = grounding.GroundingChunks ?? [];
        var pages = new List<(string, string?)>(chunks.Count);
        foreach (GeminiGroundingChunk chunk in chunks)
        {
            if (chunk.Web?.Uri is { } uri)
            {
                pages.Add((uri, chunk.Web.Title));
            }
        }

        int at = streaming ? contents.Count : 0;
        contents.Insert(at, HostedSearch.Call(callId, grounding.WebSearchQueries, grounding));
        contents.Insert(at + 1, HostedSearch.Result(callId, pages, grounding));

        TextContent? holder = null;
        foreach (GeminiGroundingSupport support in grounding.GroundingSupports ?? [])
        {
            GeminiSegment? segment = support.Segment;
            GeminiPart? part = parts is { Count: > 0 } && (segment?.PartIndex ?? 0) is int index && index >= 0 && index < parts.Count ? parts[index] : null;
            TextContent? text = streaming ? null : contents.Find(c => c is TextContent t && ReferenceEquals(t.RawRepresentation, part)) as TextContent;
            (int? start, int? end) = text is not null ? CharSpan(text.Text, segment?.StartIndex, segment?.EndIndex) : (null, null);
            foreach (int chunkIndex in support.GroundingChunkIndices ?? [])
            {
                if (chunkIndex < 0 || chunkIndex >= chunks.Count || chunks[chunkIndex].Web is not { } web)
                {
                    continue;
                }

                TextContent target = text ?? (holder ??= new TextContent(""));
                (target.Annotations ??= []).Add(HostedSearch.Citation(web.Uri, web.Title, segment?.Text, start, end, support));
            }
        }

        if (holder is not null)
        {
            contents.Add(holder);
        }
    }

    /// <summary>Converts a span in UTF-8 bytes of <paramref name="text"/> to one in characters; <see langword="null"/>s when it does not fit.</summary>
    private static (int?, int?) CharSpan(string text, int? startByte, int? endByte)
    {
        if (endByte is not int end || end < (startByte ?? 0))
        {
            return (null, null);
        }

        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        int start = startByte ?? 0;
        if (end > bytes.Length)
        {
            return (null, null);
        }

        return (System.Text.Encoding.UTF8.GetCharCount(bytes, 0, start), System.Text.Encoding.UTF8.GetCharCount(bytes, 0, end));
    }

    public static ChatFinishReason? MapFinishReason(string? reason, bool hasCalls) => reason?.ToUpperInvariant() switch
    {
        null => null,

        // Gemini has no tool-call reason: a turn with calls ends with STOP.
        "STOP" => hasCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    public static UsageDetails? MapUsage(GeminiUsageMetadata? usage)
    {
        if (usage is null || (usage.PromptTokenCount is null && usage.CandidatesTokenCount is null && usage.TotalTokenCount is null))
        {
            return null; // streams carry usageMetadata with only trafficType on early chunks
        }

        // candidatesTokenCount excludes thoughts; Microsoft.Extensions.AI counts reasoning inside the output.
        long? output = usage.CandidatesTokenCount is null && usage.ThoughtsTokenCount is null
            ? null
            : (usage.CandidatesTokenCount ?? 0) + (usage.ThoughtsTokenCount ?? 0);
        return new UsageDetails
        {
            InputTokenCount = usage.PromptTokenCount,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokenCount ?? usage.PromptTokenCount + output,
            CachedInputTokenCount = usage.CachedContentTokenCount,
            ReasoningTokenCount = usage.ThoughtsTokenCount,
        };
    }

    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time) ? time : null;

    private static FunctionCallContent ToCall(GeminiFunctionCall functionCall, string? signature, GeminiPart part)
    {
        // Gemini usually sends no call id; one is generated so results can be matched, and never sent back.
        bool hasId = !string.IsNullOrEmpty(functionCall.Id);
        string callId = hasId ? functionCall.Id! : WireContent.NewCallId();
        FunctionCallContent call = WireContent.CallFromElement(callId, functionCall.Name ?? "", functionCall.Args);
        call.RawRepresentation = part;
        if (hasId)
        {
            GeminiProperties.Set(call, GeminiProperties.CallId, functionCall.Id!);
        }

        if (signature is not null)
        {
            GeminiProperties.Set(call, GeminiProperties.ThoughtSignature, signature);
        }

        return call;
    }

    private static TextReasoningContent Reasoning(string text, string? signature)
    {
        var reasoning = new TextReasoningContent(text) { ProtectedData = signature };
        GeminiProperties.Set(reasoning, GeminiProperties.Thought, true);
        return reasoning;
    }
}
