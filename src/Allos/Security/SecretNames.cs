namespace Allos.Security;

/// <summary>
/// The one reading of which environment variables hold secrets: a list of well-known token and password variables, and
/// any name with a secret-like suffix, which every built-in provider's key variable has (<c>*_API_KEY</c>; a test holds
/// that true). Provider keys found anywhere are also registered with <see cref="SecretRedactor"/> by the providers.
/// </summary>
/// <remarks>Used both to scrub the shell tool's environment and to find the values <see cref="SecretRedactor"/> redacts.</remarks>
internal static class SecretNames
{
    private static readonly string[] Suffixes =
    [
        "_API_KEY", "_APIKEY", "_TOKEN", "_SECRET", "_SECRET_KEY", "_ACCESS_KEY", "_PASSWORD", "_CREDENTIALS",
    ];

    private static readonly HashSet<string> Known = new(
        [
            "ANTHROPIC_AUTH_TOKEN", "GOOGLE_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN",
            "NUGET_API_KEY", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "AZURE_CLIENT_SECRET",
            "GOOGLE_APPLICATION_CREDENTIALS", "PGPASSWORD", "MYSQL_PWD", "API_KEY", "APIKEY", "TOKEN", "SECRET",
        ],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether an environment variable's name says it holds a secret.</summary>
    public static bool IsSecret(string name) =>
        Known.Contains(name) || Suffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
}
