using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>
/// The providers' own web search (<see cref="HostedWebSearchTool"/>), shared by the codecs that map it: OpenAI's search
/// models, Anthropic's web search tool and Gemini's grounding with Google Search.
/// </summary>
internal static class HostedSearch
{
    /// <summary>Set on a search call or result to the provider block it came from, as JSON, so it can be sent back unchanged.</summary>
    public const string RawBlockKey = "allos.hosted_block";

    /// <summary>The hosted web search tool in <paramref name="options"/>, or <see langword="null"/>.</summary>
    public static HostedWebSearchTool? Tool(ChatOptions? options)
    {
        if (options?.Tools is { Count: > 0 } tools)
        {
            foreach (AITool tool in tools)
            {
                if (tool is HostedWebSearchTool search)
                {
                    return search;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="content"/> records a search the provider ran. Such records describe an earlier answer whose text
    /// already holds what was found, so a codec that cannot send them back leaves them out instead of refusing the history.
    /// </summary>
    public static bool IsRecord(AIContent content) => content is WebSearchToolCallContent or WebSearchToolResultContent;

    /// <summary>A search the provider ran, with its queries.</summary>
    public static WebSearchToolCallContent Call(string callId, IList<string>? queries, object? raw) =>
        new(callId) { Queries = queries is { Count: > 0 } ? queries : null, RawRepresentation = raw };

    /// <summary>What a provider's search found: one <see cref="UriContent"/> per page, its title in <see cref="AIContent.AdditionalProperties"/>.</summary>
    public static WebSearchToolResultContent Result(string callId, IEnumerable<(string Url, string? Title)> pages, object? raw)
    {
        var outputs = new List<AIContent>();
        foreach ((string url, string? title) in pages)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
            {
                var page = new UriContent(uri, "text/html");
                if (!string.IsNullOrEmpty(title))
                {
                    page.AdditionalProperties = new() { ["title"] = title };
                }

                outputs.Add(page);
            }
        }

        return new WebSearchToolResultContent(callId) { Outputs = outputs, RawRepresentation = raw };
    }

    /// <summary>A citation of a web page, over a span of the answer's text when the provider gives one.</summary>
    public static CitationAnnotation Citation(string? url, string? title, string? snippet, int? start, int? end, object? raw)
    {
        var citation = new CitationAnnotation
        {
            Title = string.IsNullOrEmpty(title) ? null : title,
            Url = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri : null,
            Snippet = string.IsNullOrEmpty(snippet) ? null : snippet,
            ToolName = "web_search",
            RawRepresentation = raw,
        };

        if (start is int from && end is int to && to >= from)
        {
            citation.AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = from, EndIndex = to }];
        }

        return citation;
    }

    /// <summary>The provider block stored on a search record by <see cref="RawBlockKey"/>, when there is one.</summary>
    public static JsonElement? RawBlock(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(RawBlockKey, out object? value) == true
            ? value switch
            {
                JsonElement { ValueKind: JsonValueKind.Object } element => element,
                string { Length: > 0 } text => Parse(text),
                _ => null,
            }
            : null;

    private static JsonElement? Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null; // a damaged record is left out, like one from another provider
        }
    }
}
