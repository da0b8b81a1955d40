namespace Allos.Providers.Vertex;

/// <summary>Vertex AI's URLs: the regional (or global) host and the project, location and publisher path a model lives under.</summary>
internal static class VertexUrls
{
    /// <summary>The location used when neither <c>ChatClientOptions.Location</c> nor <c>VERTEX_LOCATION</c> names one.</summary>
    public const string DefaultLocation = "us-central1";

    /// <summary>The public endpoint of a location: <c>https://{location}-aiplatform.googleapis.com</c>, or the global host for <c>global</c>.</summary>
    public static Uri DefaultEndpoint(string location) => location.Equals("global", StringComparison.OrdinalIgnoreCase)
        ? new Uri("https://aiplatform.googleapis.com")
        : new Uri($"https://{location}-aiplatform.googleapis.com");

    /// <summary>
    /// <c>{endpoint}/v1/projects/{project}/locations/{location}/publishers/{publisher}</c>; an endpoint that already ends
    /// with a version segment (<c>/v1</c>, <c>/v1beta1</c>) keeps it.
    /// </summary>
    public static string PublisherRoot(Uri endpoint, string project, string location, string publisher)
    {
        string root = endpoint.AbsoluteUri.TrimEnd('/');
        string last = root[(root.LastIndexOf('/') + 1)..];
        if (!(last.StartsWith('v') && last.Length > 1 && char.IsAsciiDigit(last[1])))
        {
            root += "/v1";
        }

        return $"{root}/projects/{Uri.EscapeDataString(project)}/locations/{Uri.EscapeDataString(location)}/publishers/{publisher}";
    }

    /// <summary>A model's URL under a publisher root; the <c>@</c> of Claude's versioned ids (<c>claude-sonnet-4@20250514</c>) is kept as it is.</summary>
    public static Uri Model(string publisherRoot, string model, string action) =>
        new($"{publisherRoot}/models/{Uri.EscapeDataString(model).Replace("%40", "@", StringComparison.Ordinal)}:{action}");

    /// <summary>Whether a model id is Anthropic's (published as <c>claude-…</c> on Vertex AI), else Google's.</summary>
    public static bool IsClaude(string model) => model.StartsWith("claude", StringComparison.OrdinalIgnoreCase);
}
