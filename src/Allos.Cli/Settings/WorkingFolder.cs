namespace Allos.Cli.Settings;

/// <summary>
/// <c>--cwd DIR</c> works like <c>git -C DIR</c>: the process moves into DIR before anything is read, so that folder's
/// <c>.env</c>, <c>allos.yaml</c> and <c>agents.yaml</c> apply, relative paths (a <c>-s notes.json</c>) are taken from
/// it, and it is the tools' workspace.
/// </summary>
internal static class WorkingFolder
{
    /// <summary>Moves into the folder named by <c>--cwd</c> (before any <c>--</c>) and returns the arguments with its full path.</summary>
    /// <remarks>A folder that does not exist is left for the flag's validation to report as a usage error.</remarks>
    public static string[] Enter(string[] args)
    {
        for (int i = 0; i < args.Length && args[i] != "--"; i++)
        {
            string? folder = args[i] == "--cwd" && i + 1 < args.Length ? args[i + 1]
                : args[i].StartsWith("--cwd=", StringComparison.Ordinal) ? args[i][6..]
                : null;
            if (folder is null || !Directory.Exists(folder))
            {
                continue;
            }

            string full = Path.GetFullPath(folder);
            Directory.SetCurrentDirectory(full);
            string[] moved = [.. args];
            if (args[i] == "--cwd")
            {
                moved[i + 1] = full;
            }
            else
            {
                moved[i] = "--cwd=" + full;
            }

            return moved;
        }

        return args;
    }
}
