using System.Text.RegularExpressions;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// Commands the shell tool refuses to run whatever the permissions say: wiping the root, the home folder or a system
/// folder, formatting or overwriting disks, fork bombs, shutting the machine down.
/// </summary>
/// <remarks>
/// Security: this is a last guard against a catastrophic slip, not a sandbox; a determined command can always be
/// obfuscated past it. The real boundary is approval (shell asks by default) and the machine the agent runs on.
/// </remarks>
internal static partial class ShellDenyList
{
    private static readonly HashSet<string> CommandPrefixes = new(StringComparer.Ordinal)
    {
        "sudo", "doas", "command", "builtin", "exec", "nohup", "time", "env", "nice", "ionice", "xargs", "busybox", "eval",
    };

    private static readonly HashSet<string> SystemFolders = new(StringComparer.Ordinal)
    {
        "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/opt", "/proc", "/root", "/sbin", "/srv",
        "/sys", "/usr", "/var", "/Users", "/System", "/Library", "/Applications",
    };

    private static readonly HashSet<string> HomeFolders = new(StringComparer.Ordinal) { "~", "$HOME", "${HOME}" };

    private static readonly HashSet<string> ShutdownCommands = new(StringComparer.Ordinal) { "shutdown", "reboot", "halt", "poweroff" };

    private static readonly HashSet<string> HarmlessDevices = new(StringComparer.Ordinal)
    {
        "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty",
    };

    /// <summary>Returns what a command matches on the deny list, or <see langword="null"/> when it may run.</summary>
    public static string? Match(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (ForkBomb().IsMatch(command))
        {
            return "a fork bomb";
        }

        if (DiskRedirect().IsMatch(command))
        {
            return "writing over a disk device";
        }

        foreach (string segment in SegmentSeparators().Split(command))
        {
            if (MatchSimpleCommand(Words(segment)) is { } rule)
            {
                return rule;
            }
        }

        return null;
    }

    private static string? MatchSimpleCommand(List<string> words)
    {
        int first = 0;
        while (first < words.Count && (CommandPrefixes.Contains(words[first]) || words[first].StartsWith('-') || IsAssignment(words[first])))
        {
            first++;
        }

        if (first == words.Count)
        {
            return null;
        }

        string name = Path.GetFileName(words[first]);
        List<string> rest = words[(first + 1)..];
        List<string> operands = [.. rest.Where(word => !word.StartsWith('-'))];
        bool recursive = rest.Any(word => word == "--recursive" || (word.StartsWith('-') && !word.StartsWith("--", StringComparison.Ordinal) && (word.Contains('r') || word.Contains('R'))));
        switch (name)
        {
            case "rm" when recursive && operands.Any(IsCriticalPath):
                return "recursively deleting the root, the home folder or a system folder";
            case "chmod" or "chown" or "chgrp" when rest.Any(word => word is "-R" or "--recursive" || (word.StartsWith('-') && !word.StartsWith("--", StringComparison.Ordinal) && word.Contains('R')))
                && operands.Any(IsCriticalPath):
                return "recursively changing permissions or owners of the root, the home folder or a system folder";
            case "mkfs" or "wipefs" or "mkswap" or "fdisk" or "sfdisk" or "parted":
            case not null when name.StartsWith("mkfs.", StringComparison.Ordinal):
                return "formatting or partitioning a disk";
            case "dd" when rest.Any(word => word.StartsWith("of=/dev/", StringComparison.Ordinal) && !HarmlessDevices.Contains(word[3..])):
                return "dd onto a device";
            case "shred" when operands.Any(word => word.StartsWith("/dev/", StringComparison.Ordinal)):
                return "shredding a device";
            case not null when ShutdownCommands.Contains(name):
            case "init" or "telinit" when operands.Any(word => word is "0" or "6"):
            case "systemctl" when operands.Any(word => word is "poweroff" or "reboot" or "halt" or "kexec"):
                return "shutting down or rebooting the machine";
            default:
                return null;
        }
    }

    /// <summary>Whether an operand names the root, the home folder or a top-level system folder (or everything inside one).</summary>
    private static bool IsCriticalPath(string operand)
    {
        string path = operand;
        while (true)
        {
            if (path.EndsWith("/*", StringComparison.Ordinal) || path.EndsWith("/.", StringComparison.Ordinal))
            {
                path = path[..^2];
            }
            else if (path.Length > 1 && path.EndsWith('/'))
            {
                path = path[..^1];
            }
            else
            {
                break;
            }
        }

        return path is "" or "/" or "/*" or "/.." || HomeFolders.Contains(path) || SystemFolders.Contains(path);
    }

    private static bool IsAssignment(string word)
    {
        int equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && word[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    private static List<string> Words(string segment) =>
        [.. segment.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Replace("\"", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal))
            .Where(word => word.Length > 0)];

    // name(){ name|name& };name — any function name, spaces optional.
    [GeneratedRegex(@"(?<f>[\w:.]+)\s*\(\s*\)\s*\{[^}]*\k<f>\s*\|\s*\k<f>\s*&", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ForkBomb();

    [GeneratedRegex(@">\s*/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|dm-|md)\w*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DiskRedirect();

    // Separators between simple commands: lists, pipes, background, subshells, command substitution, groups, new lines.
    [GeneratedRegex(@"\|\||&&|[;|&\n()`{}]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SegmentSeparators();
}
