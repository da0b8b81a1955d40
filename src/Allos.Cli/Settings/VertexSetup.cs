using System.Text.Json;
using Allos.Cli.Admin;
using Allos.Providers.Vertex;

namespace Allos.Cli.Settings;

/// <summary>
/// Where Vertex AI's credential, project, location, endpoint and token endpoint come from in this environment, for
/// <c>allos config show</c>: the same order the provider resolves them in. Never the token or the key.
/// </summary>
internal static class VertexSetup
{
    public static string Describe(Func<string, string?> environment)
    {
        string? file = null;
        string credential;
        if (Value(environment, "VERTEX_ACCESS_TOKEN") is not null)
        {
            credential = "access token (from VERTEX_ACCESS_TOKEN)";
        }
        else if (Value(environment, "GOOGLE_APPLICATION_CREDENTIALS") is { } path)
        {
            file = path;
            credential = $"credentials {path} (from GOOGLE_APPLICATION_CREDENTIALS)";
        }
        else if (VertexCredential.WellKnownFile(environment) is { } adc && File.Exists(adc))
        {
            file = adc;
            credential = $"credentials {adc} (gcloud application-default)";
        }
        else
        {
            credential = "no credentials (set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or set VERTEX_ACCESS_TOKEN; the metadata server on Google Cloud)";
        }

        (string? fileProject, string? tokenUri) = ReadFile(file);
        string project = Value(environment, "VERTEX_PROJECT") is { } p ? $"{p} (from VERTEX_PROJECT)"
            : Value(environment, "GOOGLE_CLOUD_PROJECT") is { } g ? $"{g} (from GOOGLE_CLOUD_PROJECT)"
            : fileProject is not null ? $"{fileProject} (from {file})"
            : "none (set VERTEX_PROJECT)";
        string location = Value(environment, "VERTEX_LOCATION") is { } l ? $"{l} (from VERTEX_LOCATION)" : $"{VertexUrls.DefaultLocation} (default)";
        string host;
        try
        {
            // The provider's own rules: its default, its check of the name, its host for the location.
            host = VertexUrls.DefaultEndpoint(VertexProvider.Location(new ChatClientOptions(), environment)).GetLeftPart(UriPartial.Authority);
        }
        catch (ConfigurationException ex)
        {
            host = $"no endpoint ({ex.Message})";
        }
        string endpoint = Value(environment, "VERTEX_BASE_URL") is { } url ? $"{Secrets.Url(url)} (from VERTEX_BASE_URL)" : $"{host} (default)";
        string token = Value(environment, "VERTEX_ACCESS_TOKEN") is not null ? "token endpoint not used (a ready token)"
            : Value(environment, "VERTEX_TOKEN_URL") is { } tokenUrl ? $"token endpoint {Secrets.Url(tokenUrl)} (from VERTEX_TOKEN_URL)"
            : tokenUri is not null ? $"token endpoint {Secrets.Url(tokenUri)} (token_uri of {file})"
            : file is not null ? "token endpoint https://oauth2.googleapis.com/token (default)"
            : "token endpoint: the metadata server's, on Google Cloud";
        return $"{credential} · project {project} · location {location} · {endpoint} · {token}";
    }

    private static (string? Project, string? TokenUri) ReadFile(string? path)
    {
        if (path is null)
        {
            return (null, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            return (Text(root, "project_id") ?? Text(root, "quota_project_id"), Text(root, "token_uri"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Value(Func<string, string?> environment, string name) => environment(name) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
