using Allos.Providers.Anthropic;
using Allos.Providers.Gemini;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Vertex;

/// <summary>
/// Vertex AI (<c>vertex/…</c>): Gemini through the Gemini codec at <c>publishers/google/models/{model}:generateContent</c>,
/// Claude (<c>vertex/claude-…</c>) through the Anthropic codec at <c>publishers/anthropic/models/{model}:rawPredict</c>,
/// both with a Bearer access token and the project and location from the options, the environment or the credential file.
/// </summary>
internal static class VertexProvider
{
    /// <summary>The Messages API version Claude on Vertex AI takes in the body.</summary>
    public const string AnthropicVersion = "vertex-2023-10-16";

    public const string ProjectVariable = "VERTEX_PROJECT";
    public const string LocationVariable = "VERTEX_LOCATION";

    /// <summary>Resolves the credential, project, location and endpoint, then builds the codec's client for the model's publisher.</summary>
    /// <exception cref="ConfigurationException">No credential, no project, or a malformed location or endpoint.</exception>
    public static IChatClient Create(BuiltInProvider provider, string model, ChatClientOptions options, Uri? endpointOverride, Func<string, string?> environment, Func<bool> onGoogleCloud)
    {
        VertexCredential credential = VertexCredential.Resolve(provider.Name, options, environment, onGoogleCloud);
        string project = Project(options, environment, credential);
        string location = Location(options, environment);
        Uri endpoint = endpointOverride ?? VertexUrls.DefaultEndpoint(location);

        // ApiKey is the token here (sent as Bearer), never an x-goog-api-key or x-api-key.
        var settings = new ProviderSettings(provider.Name, model, endpoint, null, options) { AccessToken = credential.Source };
        if (VertexUrls.IsClaude(model))
        {
            string root = VertexUrls.PublisherRoot(endpoint, project, location, "anthropic");
            return new AnthropicChatClient(settings, (id, stream) => VertexUrls.Model(root, id, stream ? "streamRawPredict" : "rawPredict"), AnthropicVersion, VertexErrorParser.Parse);
        }

        return new GeminiChatClient(settings, VertexUrls.PublisherRoot(endpoint, project, location, "google"), VertexErrorParser.Parse, vertex: true);
    }

    /// <summary>The project: the options', <c>VERTEX_PROJECT</c>, <c>GOOGLE_CLOUD_PROJECT</c>, else the credential file's.</summary>
    public static string Project(ChatClientOptions options, Func<string, string?> environment, VertexCredential? credential) =>
        NonEmpty(options.Project) ?? NonEmpty(environment(ProjectVariable)) ?? NonEmpty(environment("GOOGLE_CLOUD_PROJECT")) ?? credential?.ProjectId
        ?? throw new ConfigurationException(
            $"No Google Cloud project for vertex: set {ProjectVariable} (or GOOGLE_CLOUD_PROJECT), use a service account file that names its project_id, or pass ChatClientOptions.Project.", ProjectVariable);

    /// <summary>The location: the options', <c>VERTEX_LOCATION</c>, else <c>us-central1</c>.</summary>
    public static string Location(ChatClientOptions options, Func<string, string?> environment)
    {
        string location = NonEmpty(options.Location) ?? NonEmpty(environment(LocationVariable)) ?? VertexUrls.DefaultLocation;
        if (!location.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ConfigurationException($"{LocationVariable} must be a Google Cloud location such as us-central1, europe-west4 or global; it is '{location}'.", LocationVariable);
        }

        return location.ToLowerInvariant();
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
