using System.Collections;

namespace Allos.Tools.BuiltIn;

/// <summary>The environment of the shell tool's child process: the host's, without its secrets.</summary>
/// <remarks>Security: a model that can run commands could otherwise print the host's API keys into its own context (and logs).</remarks>
internal static class ShellEnvironment
{
    private static readonly string[] SecretSuffixes =
    [
        "_API_KEY", "_APIKEY", "_TOKEN", "_SECRET", "_SECRET_KEY", "_ACCESS_KEY", "_PASSWORD", "_CREDENTIALS",
    ];

    private static readonly HashSet<string> KnownSecrets = new(StringComparer.OrdinalIgnoreCase)
    {
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "GEMINI_API_KEY", "GOOGLE_API_KEY", "AZURE_OPENAI_API_KEY",
        "GROQ_API_KEY", "MISTRAL_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY", "TOGETHER_API_KEY", "XAI_API_KEY",
        "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "NUGET_API_KEY", "NPM_TOKEN",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS",
        "PGPASSWORD", "MYSQL_PWD", "API_KEY", "APIKEY", "TOKEN", "SECRET",
    };

    /// <summary>Extra settings that keep commands from waiting for a terminal that is not there (pagers, credential prompts).</summary>
    private static readonly KeyValuePair<string, string>[] NonInteractive =
    [
        new("PAGER", "cat"), new("GIT_PAGER", "cat"), new("GIT_TERMINAL_PROMPT", "0"),
    ];

    /// <summary>Whether an environment variable's name says it holds a secret.</summary>
    public static bool IsSecret(string name) =>
        KnownSecrets.Contains(name) || SecretSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Removes the secrets from a child's environment and makes it non-interactive.</summary>
    public static void Prepare(IDictionary<string, string?> environment)
    {
        foreach (string name in environment.Keys.Where(IsSecret).ToList())
        {
            environment.Remove(name);
        }

        foreach (KeyValuePair<string, string> setting in NonInteractive)
        {
            environment[setting.Key] = setting.Value;
        }
    }
}
