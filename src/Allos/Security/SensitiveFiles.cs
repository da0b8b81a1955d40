namespace Allos.Security;

/// <summary>
/// The files that conventionally hold secrets: <c>.env</c> files, private keys and certificates, and the credential
/// files of package managers and cloud tools. Reading one asks first, and searches skip them.
/// </summary>
internal static class SensitiveFiles
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".npmrc", ".netrc", "_netrc", ".pypirc", ".pgpass",
        ".git-credentials", ".htpasswd", "credentials", "credentials.json", "secrets.json", ".dockercfg",
    };

    private static readonly string[] Extensions = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".env"];

    /// <summary>Templates that only name the variables: reading them is how a model learns what to set.</summary>
    private static readonly string[] TemplateSuffixes = [".example", ".sample", ".template", ".dist"];

    /// <summary>Whether the file a path names is one that conventionally holds secrets (judged by its name).</summary>
    public static bool IsSensitive(string path)
    {
        string name = Path.GetFileName(path.TrimEnd('/', Path.DirectorySeparatorChar));
        if (name.Length == 0)
        {
            return false;
        }

        if (Names.Contains(name))
        {
            return true;
        }

        if (name.StartsWith(".env.", StringComparison.OrdinalIgnoreCase))
        {
            return !TemplateSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
        }

        return Extensions.Any(extension => name.EndsWith(extension, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether a workspace file is sensitive by its own name or by the name of the file a link leads to.</summary>
    public static bool IsSensitive(string path, Tools.Workspace workspace)
    {
        if (IsSensitive(path))
        {
            return true;
        }

        try
        {
            return IsSensitive(workspace.Resolve(path));
        }
        catch (Tools.WorkspaceAccessException)
        {
            return false; // Refused later, with the reason, when the tool runs.
        }
        catch (IOException)
        {
            return false;
        }
    }
}
