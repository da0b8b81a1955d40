using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// Where <c>web_search</c> sends a query and how it reads the answer: Brave Search, Tavily or SearXNG, chosen from the
/// environment (see <see cref="Resolve"/>).
/// </summary>
internal sealed class WebSearchBackend
{
    /// <summary>The variable that names the backend outright.</summary>
    internal const string BackendVariable = "ALLOS_WEB_SEARCH_BACKEND";

    private WebSearchBackend(string name, Uri endpoint, string? key, string keyVariable)
    {
        Name = name;
        Endpoint = endpoint;
        Key = key;
        KeyVariable = keyVariable;
    }

    /// <summary>Gets <c>brave</c>, <c>tavily</c> or <c>searxng</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the URL queries go to.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets where the choice came from: the variables that picked the backend and set its endpoint.</summary>
    public string Source { get; private set; } = "";

    private string? Key { get; }

    /// <summary>Gets the variable a failed authentication should point at.</summary>
    private string KeyVariable { get; }

    /// <summary>
    /// Picks the backend: <c>ALLOS_WEB_SEARCH_BACKEND</c> when set, else the first of <c>BRAVE_API_KEY</c>,
    /// <c>TAVILY_API_KEY</c>, <c>SEARXNG_URL</c> that is set.
    /// </summary>
    /// <exception cref="ToolException">No backend is configured, or the named one lacks its variable.</exception>
    public static WebSearchBackend Resolve(Func<string, string?> environment)
    {
        string? Get(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        string? chosen = Get(BackendVariable)?.ToLowerInvariant();
        chosen ??= Get("BRAVE_API_KEY") is not null ? "brave"
            : Get("TAVILY_API_KEY") is not null ? "tavily"
            : Get("SEARXNG_URL") is not null ? "searxng"
            : throw new ToolException("No web search backend is configured: set BRAVE_API_KEY (Brave Search), TAVILY_API_KEY (Tavily) or SEARXNG_URL (a SearXNG instance).");

        WebSearchBackend backend = chosen switch
        {
            "brave" => new("brave", Url(Get("BRAVE_SEARCH_URL") ?? WebSearchTool.DefaultBraveUrl, "BRAVE_SEARCH_URL"),
                Get("BRAVE_API_KEY") ?? throw Missing("brave", "BRAVE_API_KEY"), "BRAVE_API_KEY"),
            "tavily" => new("tavily", Url(Get("TAVILY_URL") ?? WebSearchTool.DefaultTavilyUrl, "TAVILY_URL"),
                Get("TAVILY_API_KEY") ?? throw Missing("tavily", "TAVILY_API_KEY"), "TAVILY_API_KEY"),
            "searxng" => new("searxng", SearxngSearchUrl(Get("SEARXNG_URL") ?? throw Missing("searxng", "SEARXNG_URL")), null, "SEARXNG_URL"),
            _ => throw new ToolException($"{BackendVariable} is '{chosen}'; use brave, tavily or searxng."),
        };

        string endpointVariable = backend.Name switch { "brave" => "BRAVE_SEARCH_URL", "tavily" => "TAVILY_URL", _ => "SEARXNG_URL" };
        backend.Source = (Get(BackendVariable) is not null ? $"{BackendVariable}, " : "")
            + (backend.Name == "searxng" ? "SEARXNG_URL" : $"{backend.KeyVariable}, endpoint {(Get(endpointVariable) is not null ? endpointVariable : "default")}");
        return backend;
    }

    /// <summary>Builds the request for <paramref name="query"/>, asking for <paramref name="count"/> results.</summary>
    public HttpRequestMessage CreateRequest(string query, int count)
    {
        string q = Uri.EscapeDataString(query);
        switch (Name)
        {
            case "brave":
                var brave = new HttpRequestMessage(HttpMethod.Get, WithQuery(Endpoint, $"q={q}&count={count.ToString(CultureInfo.InvariantCulture)}"));
                brave.Headers.TryAddWithoutValidation("X-Subscription-Token", Key);
                return brave;
            case "tavily":
                var tavily = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = TavilyBody(query, count) };
                tavily.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                return tavily;
            default:
                return new HttpRequestMessage(HttpMethod.Get, WithQuery(Endpoint, $"q={q}&format=json"));
        }
    }

    /// <summary>Says why a non-success answer failed, naming what to fix and never the key.</summary>
    public string DescribeFailure(HttpResponseMessage response)
    {
        int status = (int)response.StatusCode;
        string where = Endpoint.GetLeftPart(UriPartial.Path);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return Key is null
                ? $"The SearXNG instance at {where} refused the search ({status}); check SEARXNG_URL and that its JSON format is enabled."
                : $"The {Name} search was refused ({status}): check {KeyVariable}.";
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            string retry = RetryAfter(response) is { } after ? $"; retry after {after.TotalSeconds:0} s" : "";
            return $"The {Name} search is rate-limited (429){retry}.";
        }

        return status >= 500
            ? $"The {Name} search at {where} failed with {status} {response.ReasonPhrase}; try again later."
            : $"The {Name} search at {where} answered {status} {response.ReasonPhrase}.";
    }

    /// <summary>Reads the results out of a success body.</summary>
    /// <exception cref="ToolException">The body is not the JSON the backend sends.</exception>
    public IReadOnlyList<WebSearchResult> ReadResults(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            JsonElement results = Name == "brave"
                ? root.ValueKind == JsonValueKind.Object && root.TryGetProperty("web", out JsonElement web) && web.ValueKind == JsonValueKind.Object
                    && web.TryGetProperty("results", out JsonElement braveResults) ? braveResults : default
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("results", out JsonElement other) ? other : default;
            if (results.ValueKind == JsonValueKind.Undefined && Name == "brave" && root.ValueKind == JsonValueKind.Object)
            {
                return []; // Brave leaves "web" out when nothing matched.
            }

            if (results.ValueKind != JsonValueKind.Array)
            {
                throw Malformed("it has no results list");
            }

            string snippetField = Name == "brave" ? "description" : "content";
            var list = new List<WebSearchResult>();
            foreach (JsonElement item in results.EnumerateArray())
            {
                string url = Text(item, "url");
                if (url.Length == 0)
                {
                    continue;
                }

                string title = Text(item, "title");
                list.Add(new WebSearchResult(title.Length == 0 ? url : title, url, Text(item, snippetField)));
            }

            return list;
        }
        catch (JsonException)
        {
            throw Malformed("it is not valid JSON");
        }
    }

    private ToolException Malformed(string why) => new($"The {Name} search answered with a body Allos cannot read: {why}.");

    // Brave marks the matched words with <strong>; SearXNG and Tavily may pass on entities. Both become plain text.
    private static string Text(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? HtmlText.ToText(value.GetString()!).Replace('\n', ' ').Trim()
            : "";

    private static ByteArrayContent TavilyBody(string query, int count)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            writer.WriteNumber("max_results", count);
            writer.WriteString("search_depth", "basic");
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static Uri WithQuery(Uri endpoint, string query) =>
        new UriBuilder(endpoint) { Query = endpoint.Query.Length > 1 ? endpoint.Query[1..] + "&" + query : query }.Uri;

    private static Uri SearxngSearchUrl(string baseUrl) => Url(baseUrl.TrimEnd('/') + "/search", "SEARXNG_URL");

    private static Uri Url(string value, string variable) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ToolException($"{variable} must be an absolute http or https URL.");

    private static ToolException Missing(string backend, string variable) =>
        new($"{BackendVariable} is {backend} but {variable} is not set.");
}
