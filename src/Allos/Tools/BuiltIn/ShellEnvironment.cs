using System.Globalization;
using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// Gives a command the run it serves: each run variable as <c>ALLOS_VAR_NAME</c> (the name upper-cased, anything but
    /// letters and digits as <c>_</c>) and the session as <c>ALLOS_SESSION_ID</c>. Call before <see cref="Prepare"/>, so a
    /// variable whose name or value is a secret is removed like any other.
    /// </summary>
    public static void AddRun(IDictionary<string, string?> environment, ToolContext context)
    {
        foreach ((string name, object? value) in context.Variables)
        {
            environment["ALLOS_VAR_" + EnvironmentName(name)] = Text(value);
        }

        if (context.SessionId is { } session)
        {
            environment["ALLOS_SESSION_ID"] = session;
        }
    }

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

    private static string EnvironmentName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString(),
        JsonElement json => json.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
