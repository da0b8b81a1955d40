using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// <c>shell(command, timeout_seconds?)</c>: runs <c>bash -c command</c> in the workspace root and returns a text block:
/// <code>
/// Exit code: 0
/// --- stdout ---
/// …
/// --- stderr ---
/// …
/// </code>
/// (an empty stream shows as <c>(empty)</c>). Each stream keeps its first and last characters up to a cap, with a marker.
/// </summary>
/// <remarks>
/// The run's variables and session are in the child's environment as <c>ALLOS_VAR_NAME</c> and <c>ALLOS_SESSION_ID</c>.
/// Security: the child gets the host's environment without API keys and tokens (<see cref="ShellEnvironment"/>); commands
/// on the <see cref="ShellDenyList"/> are refused without running; a timeout or a cancellation kills the whole process
/// tree. With bubblewrap (<see cref="ShellSandboxOptions"/>) only the workspace is writable, home folders are hidden,
/// <c>/tmp</c> is private and there is no network; without it the command is not confined to the workspace, and
/// approval (ask, by default) is the only guard.
/// </remarks>
internal static class ShellTool
{
    /// <summary>The default timeout, in seconds.</summary>
    internal const int DefaultTimeoutSeconds = 60;

    /// <summary>The longest timeout a call may ask for, in seconds.</summary>
    internal const int MaxTimeoutSeconds = 600;

    /// <summary>The most characters kept of each of stdout and stderr; both together fit the executor's default result cap.</summary>
    internal const int MaxStreamCharacters = 14_000;

    /// <summary>How long to wait for the output pipes to close after the process ended (a detached grandchild may hold them).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The util-linux <c>setsid</c> the command is started through, when the host has it.</summary>
    private static readonly string? Setsid = FindSetsid();

    private static readonly string Schema = $$"""
        {
          "type": "object",
          "properties": {
            "command": { "type": "string", "description": "The command line, run with bash -c in the workspace root." },
            "timeout_seconds": { "type": "integer", "minimum": 1, "maximum": {{MaxTimeoutSeconds}}, "description": "Kill the command after this many seconds. Default: {{DefaultTimeoutSeconds}}." }
          },
          "required": ["command"],
          "additionalProperties": false
        }
        """;

    /// <summary>Creates the tool with the default sandbox (<see cref="ShellSandboxMode.Auto"/>, no network).</summary>
    public static Tool Create() => Create(new ShellSandboxOptions());

    /// <summary>Creates the tool with a sandbox; the options are copied.</summary>
    public static Tool Create(ShellSandboxOptions sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var runner = new Runner(new ShellSandboxOptions { Mode = sandbox.Mode, AllowNetwork = sandbox.AllowNetwork, BwrapPath = sandbox.BwrapPath });
        return Tool.Create(
            "shell",
            "Runs a shell command with bash -c in the workspace root and returns its exit code, stdout and stderr. "
            + "There is no terminal and no input: use non-interactive flags. Long output keeps its beginning and end. "
            + "Commands are killed after timeout_seconds (default 60, at most 600). Destructive system commands are refused."
            + SandboxDescription(runner.Sandbox),
            Schema,
            runner.RunAsync,
            ToolRisk.Executes,
            ToolPermission.Ask,

            // The tool enforces its own timeout (up to 600 s); the executor's must not cut it first.
            timeout: TimeSpan.FromSeconds(MaxTimeoutSeconds + 30));
    }

    /// <summary>What the model should expect of the sandbox; written without starting bwrap, so creating the tool stays cheap.</summary>
    private static string SandboxDescription(ShellSandboxOptions sandbox)
    {
        string rules = "only the workspace is writable, home folders are hidden, /tmp is private"
            + (sandbox.AllowNetwork ? "" : " and there is no network");
        return sandbox.Mode switch
        {
            ShellSandboxMode.Bwrap => $" Commands run in a sandbox: {rules}.",
            ShellSandboxMode.Auto => $" Where bubblewrap is installed, commands run in a sandbox: {rules}.",
            _ => "",
        };
    }

    private static async ValueTask<object?> RunAsync(JsonElement arguments, ToolContext context, ShellSandboxOptions sandbox, Func<string?> notice, CancellationToken cancellationToken)
    {
        string command = ToolArguments.GetRequiredString(arguments, "command");
        int timeoutSeconds = ToolArguments.GetInt32(arguments, "timeout_seconds") ?? DefaultTimeoutSeconds;
        if (timeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            throw new ToolException($"timeout_seconds must be between 1 and {MaxTimeoutSeconds} (got {timeoutSeconds}).");
        }

        if (string.IsNullOrWhiteSpace(command))
        {
            throw new ToolException("The command is empty.");
        }

        if (ShellDenyList.Match(command) is { } rule)
        {
            throw new ToolException($"refused: the command matches the deny list ({rule}). It was not run; do not try to work around this.");
        }

        // Asked for explicitly, a sandbox that cannot be had is an error, never a silent run with the user's full access.
        string? bwrap = null;
        if (sandbox.Mode != ShellSandboxMode.None)
        {
            bwrap = Bubblewrap.Find(sandbox, out string? problem);
            if (bwrap is null && sandbox.Mode == ShellSandboxMode.Bwrap)
            {
                throw new ToolException($"The command was not run: the shell sandbox is set to bwrap, but {problem}. To run it, {Bubblewrap.InstallHint}, or set sandbox: auto or none.");
            }
        }

        // In a session of its own the command has no controlling terminal, so the Ctrl-C meant for the agent does not kill
        // it first and pass for an ordinary exit 130: the cancellation kills the tree and says so. bwrap itself is started
        // that way too (the terminal's SIGINT would kill it), and its --new-session does the same inside the sandbox.
        var startInfo = new ProcessStartInfo(Setsid ?? bwrap ?? "bash")
        {
            WorkingDirectory = context.Workspace.Root,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            CreateNoWindow = true,
        };
        if (bwrap is not null)
        {
            if (Setsid is not null)
            {
                startInfo.ArgumentList.Add("--wait");
                startInfo.ArgumentList.Add(bwrap);
            }

            foreach (string argument in Bubblewrap.Arguments(context.Workspace.Root, sandbox.AllowNetwork, command))
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            if (Setsid is not null)
            {
                startInfo.ArgumentList.Add("--wait");
                startInfo.ArgumentList.Add("bash");
            }

            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add(command);
        }

        ShellEnvironment.AddRun(startInfo.Environment, context);
        ShellEnvironment.Prepare(startInfo.Environment);

        using Process process = Start(startInfo, sandboxed: bwrap is not null);

        // No input: a command that reads stdin gets end-of-file instead of waiting forever.
        process.StandardInput.Close();
        var stdout = new CappedText(MaxStreamCharacters);
        var stderr = new CappedText(MaxStreamCharacters);
        Task reading = Task.WhenAll(
            stdout.ReadToEndAsync(process.StandardOutput, CancellationToken.None),
            stderr.ReadToEndAsync(process.StandardError, CancellationToken.None));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await DrainAsync(reading).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ToolException(string.Create(CultureInfo.InvariantCulture,
                $"The command timed out after {timeoutSeconds} s and was killed with its child processes. Output so far:\n{Format(null, stdout, stderr)}"));
        }

        await DrainAsync(reading).ConfigureAwait(false);
        string result = Format(process.ExitCode, stdout, stderr);
        return bwrap is null && sandbox.Mode == ShellSandboxMode.Auto && notice() is { } note ? note + result : result;
    }

    private static Process Start(ProcessStartInfo startInfo, bool sandboxed)
    {
        try
        {
            if (sandboxed)
            {
                return SandboxLauncher.Start(startInfo);
            }

            var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
                return process;
            }
            catch
            {
                process.Dispose();
                throw;
            }
        }
        catch (Win32Exception exception)
        {
            throw new ToolException($"{(sandboxed ? "bubblewrap" : "bash")} could not be started: {exception.Message}", exception);
        }
    }

    /// <summary>One tool's sandbox, and whether it has said yet that there is none.</summary>
    private sealed class Runner(ShellSandboxOptions sandbox)
    {
        private int _told;

        public ShellSandboxOptions Sandbox => sandbox;

        public ValueTask<object?> RunAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken) =>
            ShellTool.RunAsync(arguments, context, sandbox, Notice, cancellationToken);

        private string? Notice()
        {
            if (Interlocked.Exchange(ref _told, 1) != 0)
            {
                return null;
            }

            Bubblewrap.Find(sandbox, out string? problem);
            return $"Note: no sandbox ({problem}); commands run with the user's own access. To confine them, {Bubblewrap.InstallHint}.\n";
        }
    }

    private static string? FindSetsid()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(folder, "setsid");
            if (folder.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string Format(int? exitCode, CappedText stdout, CappedText stderr)
    {
        string output = stdout.ToString();
        string errors = stderr.ToString();
        var text = new StringBuilder();
        if (exitCode is { } code)
        {
            text.Append(CultureInfo.InvariantCulture, $"Exit code: {code}\n");
        }

        text.Append("--- stdout ---\n").Append(output.Length == 0 ? "(empty)\n" : output.EndsWith('\n') ? output : output + "\n");
        text.Append("--- stderr ---\n").Append(errors.Length == 0 ? "(empty)\n" : errors.EndsWith('\n') ? errors : errors + "\n");
        return text.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }
        catch (Win32Exception)
        {
            // It could not be killed (already gone, or not ours); nothing more can be done here.
        }
    }

    private static async Task DrainAsync(Task reading)
    {
        try
        {
            await reading.WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A background process still holds the pipes; return what was read.
        }
        catch (IOException)
        {
            // The pipe broke when the process was killed; what was read is kept.
        }
    }
}
