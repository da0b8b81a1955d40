using Allos.Security;

namespace Allos.Tools.BuiltIn;

/// <summary>The environment of the shell tool's child process: the host's, without its secrets.</summary>
/// <remarks>Security: a model that can run commands could otherwise print the host's API keys into its own context (and logs).</remarks>
internal static class ShellEnvironment
{
    /// <summary>Extra settings that keep commands from waiting for a terminal that is not there (pagers, credential prompts).</summary>
    private static readonly KeyValuePair<string, string>[] NonInteractive =
    [
        new("PAGER", "cat"), new("GIT_PAGER", "cat"), new("GIT_TERMINAL_PROMPT", "0"),
    ];

    /// <summary>Whether an environment variable's name says it holds a secret.</summary>
    public static bool IsSecret(string name) => SecretNames.IsSecret(name);

    /// <summary>Removes the secrets from a child's environment and makes it non-interactive.</summary>
    /// <remarks>
    /// A variable goes when its name says it is a secret or its value is one the redactor knows (a key loaded from a
    /// .env under an unusual name). The removed values are registered with <see cref="SecretRedactor"/>: a command can
    /// still read the host's own environment (<c>/proc/$PPID/environ</c>), so its output must be redacted.
    /// </remarks>
    public static void Prepare(IDictionary<string, string?> environment)
    {
        foreach ((string name, string? value) in environment.Where(entry => IsSecret(entry.Key) || SecretRedactor.IsKnownValue(entry.Value)).ToList())
        {
            SecretRedactor.Register(name, value);
            environment.Remove(name);
        }

        foreach (KeyValuePair<string, string> setting in NonInteractive)
        {
            environment[setting.Key] = setting.Value;
        }
    }
}
