using Allos.Security;

namespace Allos.Cli.Settings;

/// <summary>Loads a <c>.env</c> file into the process environment without overriding variables already set.</summary>
/// <remarks>
/// Our own small reader (DotNetEnv pulls in a 2017 Microsoft.Extensions.Configuration): <c>KEY=value</c> lines,
/// optional <c>export</c>, <c>#</c> comments, single quotes taken literally, double quotes with <c>\n</c> and <c>\"</c>.
/// Security: a .env is where keys live, so every value in it (except plain settings such as URLs and model names) is
/// registered with <see cref="SecretRedactor"/>, whether or not the environment already set the variable.
/// </remarks>
internal static class DotEnv
{
    private static readonly HashSet<string> LoadedNames = new(StringComparer.Ordinal);

    /// <summary>Name endings of settings that are not secret; tools may show them (a curl to the base URL).</summary>
    private static readonly string[] SettingSuffixes = ["_URL", "_HOST", "_ENDPOINT", "_VERSION", "_MODEL", "_PROVIDER", "_HOME"];

    /// <summary>Gets the variables this process took from a <c>.env</c> file (for <c>allos config show</c>).</summary>
    public static IReadOnlyCollection<string> Loaded => LoadedNames;

    public static IReadOnlyList<string> Load(string path)
    {
        var loaded = new List<string>();
        if (!File.Exists(path))
        {
            return loaded;
        }

        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string name = line[..equals].Trim();
            string value = Unquote(line[(equals + 1)..].Trim());
            if (SecretRedactor.IsSecretName(name) || !SettingSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
            {
                SecretRedactor.Register(name, value);
            }

            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
                loaded.Add(name);
                LoadedNames.Add(name);
            }
        }

        return loaded;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            return value[1..^1];
        }

        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1].Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        // An unquoted value ends at a comment.
        int comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }
}
