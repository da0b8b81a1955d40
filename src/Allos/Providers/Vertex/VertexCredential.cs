using System.Text.Json;
using Allos.Providers.Http;
using Allos.Security;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;

namespace Allos.Providers.Vertex;

/// <summary>
/// Where Vertex AI's access token comes from, found without touching the network: a token handed over
/// (<c>ChatClientOptions.ApiKey</c>, <c>VERTEX_ACCESS_TOKEN</c>), the file <c>GOOGLE_APPLICATION_CREDENTIALS</c> names,
/// gcloud's application-default credentials file, or — only where the process runs on Google Cloud — the metadata server.
/// </summary>
/// <param name="Source">The token source.</param>
/// <param name="Description">Where the token comes from, for errors and <c>allos config show</c>; never the token.</param>
/// <param name="ProjectId">The credential file's <c>project_id</c> (or <c>quota_project_id</c>), if any.</param>
/// <param name="TokenUrl">The OAuth token endpoint used, if the credential has one Allos can point elsewhere.</param>
internal sealed record VertexCredential(IAccessTokenSource Source, string Description, string? ProjectId, string? TokenUrl)
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    public const string TokenVariable = "VERTEX_ACCESS_TOKEN";
    public const string FileVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    public const string TokenUrlVariable = "VERTEX_TOKEN_URL";
    public const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";

    /// <summary>Finds the credential; <paramref name="onGoogleCloud"/> says whether the metadata server may be asked (it is never probed otherwise).</summary>
    /// <exception cref="ConfigurationException">No credential was found, or its file cannot be read.</exception>
    public static VertexCredential Resolve(string provider, ChatClientOptions options, Func<string, string?> environment, Func<bool> onGoogleCloud)
    {
        if (options.ApiKey is { Length: > 0 } given)
        {
            return new VertexCredential(new StaticAccessToken(given), "an access token given in ChatClientOptions.ApiKey", null, null);
        }

        if (NonEmpty(environment(TokenVariable)) is { } token)
        {
            SecretRedactor.Register(TokenVariable, token);
            return new VertexCredential(new StaticAccessToken(token), $"an access token in {TokenVariable}", null, null);
        }

        Uri? tokenOverride = options.TokenEndpoint ?? ParseTokenUrl(NonEmpty(environment(TokenUrlVariable)));
        if (NonEmpty(environment(FileVariable)) is { } path)
        {
            return FromFile(provider, path, $"the credential file {path} (from {FileVariable})", tokenOverride);
        }

        if (WellKnownFile(environment) is { } adc && File.Exists(adc))
        {
            return FromFile(provider, adc, $"gcloud's application-default credentials {adc}", tokenOverride);
        }

        if (onGoogleCloud())
        {
            // The metadata server of GCE, GKE, Cloud Run and Cloud Functions: only asked where the process runs on Google Cloud.
            var metadata = new ComputeCredential(new ComputeCredential.Initializer());
            return new VertexCredential(new GoogleAccessToken(metadata, provider, "the metadata server's service account", null), "the metadata server (application-default credentials on Google Cloud)", null, null);
        }

        throw new ConfigurationException(
            $"No Google Cloud credentials for {provider}: set {FileVariable} to a service account key file, run `gcloud auth application-default login`, "
            + $"or set {TokenVariable} to an access token (for example from `gcloud auth print-access-token`).", FileVariable);
    }

    /// <summary>gcloud's application-default credentials file: <c>$CLOUDSDK_CONFIG</c>, else <c>~/.config/gcloud</c> (<c>%APPDATA%\gcloud</c> on Windows).</summary>
    public static string? WellKnownFile(Func<string, string?> environment)
    {
        string? folder = NonEmpty(environment("CLOUDSDK_CONFIG"))
            ?? (OperatingSystem.IsWindows()
                ? NonEmpty(environment("APPDATA")) is { } appData ? Path.Combine(appData, "gcloud") : null
                : NonEmpty(environment("HOME")) is { } home ? Path.Combine(home, ".config", "gcloud") : null);
        return folder is null ? null : Path.Combine(folder, "application_default_credentials.json");
    }

    /// <summary>Whether the process runs on Google Cloud, told from its environment and the machine's DMI name, without a network call.</summary>
    public static bool DetectGoogleCloud(Func<string, string?> environment)
    {
        if (NonEmpty(environment("GCE_METADATA_HOST")) is not null || NonEmpty(environment("K_SERVICE")) is not null || NonEmpty(environment("FUNCTION_TARGET")) is not null)
        {
            return true;
        }

        try
        {
            return OperatingSystem.IsLinux() && File.Exists("/sys/class/dmi/id/product_name")
                && File.ReadAllText("/sys/class/dmi/id/product_name").Contains("Google", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static VertexCredential FromFile(string provider, string path, string description, Uri? tokenOverride)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException($"Cannot read {description}: {ex.Message}. Point {FileVariable} at a readable service account key file.", FileVariable);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            string? type = Text(root, "type");
            string? tokenUrl = tokenOverride?.AbsoluteUri ?? Text(root, "token_uri") ?? GoogleTokenUrl;
            switch (type)
            {
                case "service_account":
                    string email = Text(root, "client_email") ?? throw Invalid(description, "client_email");
                    string key = Text(root, "private_key") ?? throw Invalid(description, "private_key");
                    SecretRedactor.Register($"private_key of {path}", key);
                    var initializer = new ServiceAccountCredential.Initializer(email, tokenUrl)
                    {
                        Scopes = [Scope],
                        ProjectId = Text(root, "project_id"),
                        KeyId = Text(root, "private_key_id"),

                        // Retries are the Router's, with its own limits and clock.
                        DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
                    };
                    ServiceAccountCredential account;
                    try
                    {
                        account = new ServiceAccountCredential(initializer.FromPrivateKey(key));
                    }
                    catch (Exception ex) when (ex is ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
                    {
                        throw new ConfigurationException($"The private_key of {description} is not a PEM RSA key.", FileVariable);
                    }

                    return new VertexCredential(new GoogleAccessToken(account, provider, $"the service account {email} in {path}", tokenUrl), description, Text(root, "project_id"), tokenUrl);
                case "authorized_user":
                    string clientId = Text(root, "client_id") ?? throw Invalid(description, "client_id");
                    string clientSecret = Text(root, "client_secret") ?? throw Invalid(description, "client_secret");
                    string refresh = Text(root, "refresh_token") ?? throw Invalid(description, "refresh_token");
                    SecretRedactor.Register($"client_secret of {path}", clientSecret);
                    SecretRedactor.Register($"refresh_token of {path}", refresh);
                    var flow = new AuthorizationCodeFlow(new AuthorizationCodeFlow.Initializer(GoogleAuthConsts.OidcAuthorizationUrl, tokenUrl)
                    {
                        ClientSecrets = new ClientSecrets { ClientId = clientId, ClientSecret = clientSecret },
                        Scopes = [Scope],
                        DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
                    });
                    var user = new UserCredential(flow, "default", new TokenResponse { RefreshToken = refresh });
                    return new VertexCredential(new GoogleAccessToken(user, provider, $"the authorized user in {path}", tokenUrl), description, Text(root, "quota_project_id"), tokenUrl);
                case { Length: > 0 }:
                    // external_account (workload identity federation), impersonated_service_account: Google.Apis.Auth's own
                    // handling, with the endpoints the file names.
                    GoogleCredential other;
                    try
                    {
                        other = CredentialFactory.FromJson<GoogleCredential>(json).CreateScoped(Scope);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException)
                    {
                        throw new ConfigurationException($"{description} is a '{type}' credential Allos cannot use: {ex.Message}", FileVariable);
                    }

                    return new VertexCredential(new GoogleAccessToken(other, provider, $"the {type} credential in {path}", null), description, Text(root, "project_id") ?? Text(root, "quota_project_id"), null);
                default:
                    throw Invalid(description, "type");
            }
        }
        catch (JsonException)
        {
            throw new ConfigurationException($"{description} is not JSON. Point {FileVariable} at a service account key file (JSON) downloaded from the Google Cloud console.", FileVariable);
        }
    }

    private static ConfigurationException Invalid(string description, string field) =>
        new($"{description} has no \"{field}\"; it is not a Google credential file. Point {FileVariable} at a service account key file.", FileVariable);

    private static Uri? ParseTokenUrl(string? value) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" ? uri
        : throw new ConfigurationException($"{TokenUrlVariable} must be an http(s) URL; it is '{value}'.", TokenUrlVariable);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
