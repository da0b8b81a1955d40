using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Allos.Tools.BuiltIn;

/// <summary>Finds, checks and builds the command line of bubblewrap (<c>bwrap</c>), the shell tool's sandbox.</summary>
/// <remarks>Thread-safe. Whether a <c>bwrap</c> works is checked once per program path and remembered.</remarks>
internal static class Bubblewrap
{
    /// <summary>What to tell a user who needs bubblewrap.</summary>
    internal const string InstallHint = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)";

    /// <summary>Home folders and sockets a command has no business reading: hidden behind empty, private folders.</summary>
    private static readonly string[] HiddenFolders = ["/home", "/root", "/run", "/var/run", "/tmp", "/var/tmp"];

    /// <summary>Files with secrets that stay readable to root; shown as empty.</summary>
    private static readonly string[] HiddenFiles = ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers"];

    /// <summary>Each checked program's problem, or <see langword="null"/> when it works.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<string?>> Checks = new(StringComparer.Ordinal);

    /// <summary>The <c>bwrap</c> to run for these options, or <see langword="null"/> with the reason when none is found or it does not work.</summary>
    public static string? Find(ShellSandboxOptions options, out string? problem)
    {
        string? path = options.BwrapPath is { Length: > 0 } configured ? Locate(configured) : Locate("bwrap");
        if (path is null)
        {
            problem = options.BwrapPath is { Length: > 0 } given ? $"bubblewrap was not found at '{given}'" : "bubblewrap (bwrap) is not installed";
            return null;
        }

        problem = Checks.GetOrAdd(path, program => new Lazy<string?>(() => Check(program))).Value;
        return problem is null ? path : null;
    }

    /// <summary>Describes the sandbox the options give here (see <see cref="ShellSandboxOptions.Describe"/>).</summary>
    public static string Describe(ShellSandboxOptions options)
    {
        if (options.Mode == ShellSandboxMode.None)
        {
            return "none";
        }

        string? bwrap = Find(options, out string? problem);
        if (bwrap is not null)
        {
            return $"bwrap ({bwrap}), {(options.AllowNetwork ? "network allowed" : "no network")}";
        }

        return options.Mode == ShellSandboxMode.Auto ? $"none (auto: {problem})" : $"bwrap, unavailable: {problem}; {InstallHint}";
    }

    /// <summary>The arguments that run <c>bash -c <paramref name="command"/></c> in the sandbox, in <paramref name="workspace"/> (a real path).</summary>
    /// <remarks>Later mounts win, so the workspace is bound last: it stays writable even under <c>/tmp</c> or a home folder.</remarks>
    public static List<string> Arguments(string workspace, bool allowNetwork, string command)
    {
        var hidden = new List<string>(HiddenFolders);
        if (Environment.GetEnvironmentVariable("HOME") is { Length: > 1 } home && Path.IsPathRooted(home) && Directory.Exists(home))
        {
            hidden.Add(RealPath(home));
        }

        var args = new List<string> { "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc" };
        string? resolver = ResolverUnderRun();
        foreach (string folder in hidden.Distinct(StringComparer.Ordinal))
        {
            if (Directory.Exists(folder) && new DirectoryInfo(folder).LinkTarget is null)
            {
                args.AddRange(["--tmpfs", folder]);
            }
        }

        if (resolver is not null)
        {
            // /etc/resolv.conf often links into /run (systemd-resolved); with network allowed, names must still resolve.
            args.AddRange(["--ro-bind", resolver, resolver]);
        }

        foreach (string file in HiddenFiles)
        {
            if (File.Exists(file))
            {
                args.AddRange(["--ro-bind", "/dev/null", file]);
            }
        }

        args.AddRange(["--bind", workspace, workspace]);

        // A workspace that holds a hidden folder (opened at / or /home) must not show it again.
        foreach (string folder in hidden.Distinct(StringComparer.Ordinal))
        {
            if (IsStrictlyInside(folder, workspace) && Directory.Exists(folder) && new DirectoryInfo(folder).LinkTarget is null)
            {
                args.AddRange(["--tmpfs", folder]);
            }
        }

        args.AddRange(["--unshare-all"]);
        if (allowNetwork)
        {
            args.Add("--share-net");
        }

        args.AddRange(["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--chdir", workspace, "--", "bash", "-c", command]);
        return args;
    }

    private static string? Check(string program)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in (string[])["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "true"])
        {
            startInfo.ArgumentList.Add(arg);
        }

        try
        {
            using Process process = SandboxLauncher.Start(startInfo);
            process.StandardInput.Close();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return $"bubblewrap ({program}) did not start a sandbox within 10 s";
            }

            string message = errors.Wait(TimeSpan.FromSeconds(2)) ? errors.Result.Trim() : "";
            return process.ExitCode == 0 ? null
                : $"bubblewrap ({program}) cannot create a sandbox here (exit code {process.ExitCode}{(message.Length > 0 ? ": " + message : "")}; unprivileged user namespaces may be disabled)";
        }
        catch (Win32Exception exception)
        {
            return $"bubblewrap ({program}) could not be started: {exception.Message}";
        }
    }

    private static string? Locate(string program)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(folder, program);
            if (folder.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? ResolverUnderRun()
    {
        var resolv = new FileInfo("/etc/resolv.conf");
        if (resolv.LinkTarget is null || resolv.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true } target)
        {
            return null;
        }

        string full = RealPath(target.FullName);
        return full.StartsWith("/run/", StringComparison.Ordinal) || full.StartsWith("/var/run/", StringComparison.Ordinal) ? full : null;
    }

    private static bool IsStrictlyInside(string path, string folder) =>
        folder == "/" ? path != "/" : path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static string RealPath(string path)
    {
        try
        {
            return new Workspace(path).Root;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
