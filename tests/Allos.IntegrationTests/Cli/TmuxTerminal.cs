using System.ComponentModel;
using System.Diagnostics;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// Runs the real <c>allos</c> command in a pseudo-terminal: a detached tmux session (120×40) on a private tmux server,
/// driven with <c>send-keys</c> and read with <c>capture-pane</c>. Waits poll the screen until a deadline; they never
/// sleep a fixed time.
/// </summary>
/// <remarks>
/// The command runs under <c>env -i</c> with only what it needs (PATH, HOME, TERM and the variables of the
/// <see cref="CliProcess"/>), so the developer's keys never reach it. When it exits, the pane prints
/// <c>[exit CODE]</c> and stays open, so the exit code can be read.
/// </remarks>
public sealed class TmuxTerminal : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly string _socket = "allos-test-" + Guid.NewGuid().ToString("N")[..12];
    private const string Target = "chat";

    private TmuxTerminal()
    {
    }

    /// <summary>Starts <c>dotnet allos ARGS</c> in a new terminal, in the workspace of <paramref name="cli"/>.</summary>
    public static Task<TmuxTerminal> StartAsync(CliProcess cli, params string[] args) => StartAsync(cli, 120, args);

    /// <summary>Starts <c>dotnet allos ARGS</c> in a new terminal <paramref name="width"/> columns wide (40 rows).</summary>
    public static async Task<TmuxTerminal> StartAsync(CliProcess cli, int width, params string[] args)
    {
        await EnsureInstalledAsync();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? cli.Root,
            ["TERM"] = "xterm-256color",
            ["ALLOS_HOME"] = cli.Home,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (string name in new[] { "DOTNET_ROOT", "TMPDIR" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        foreach ((string name, string value) in cli.Environment)
        {
            environment[name] = value;
        }

        string command = "env -i " + string.Join(' ', environment.Select(pair => Quote($"{pair.Key}={pair.Value}")))
            + " dotnet " + Quote(CliProcess.CommandPath) + " " + string.Join(' ', args.Select(Quote))
            + "; echo \"[exit $?]\"; sleep 600";
        var terminal = new TmuxTerminal();
        await terminal.TmuxAsync("new-session", "-d", "-s", Target, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", "40", "-c", cli.Workspace, command);
        return terminal;
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter.</summary>
    public async Task TypeLineAsync(string text)
    {
        await TmuxAsync("send-keys", "-t", Target, "-l", text);
        await TmuxAsync("send-keys", "-t", Target, "Enter");
    }

    /// <summary>
    /// Pastes <paramref name="text"/> as a terminal does: wrapped in the bracketed-paste marks when the program turned
    /// them on, as plain keys (each newline an Enter) when it did not.
    /// </summary>
    public async Task PasteAsync(string text)
    {
        await TmuxAsync("set-buffer", "-b", "paste", text);
        await TmuxAsync("paste-buffer", "-p", "-d", "-b", "paste", "-t", Target);
    }

    /// <summary>Sends keys by tmux name (<c>C-c</c>, <c>C-d</c>, <c>Enter</c>).</summary>
    public Task KeysAsync(params string[] keys) => TmuxAsync(["send-keys", "-t", Target, .. keys]);

    /// <summary>Gets the screen and its scrollback, wrapped lines joined.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-J", "-S", "-2000", "-t", Target);

    /// <summary>Gets the screen and its scrollback with the colour escapes the program wrote (SGR sequences as tmux re-emits them).</summary>
    public Task<string> ScreenWithColoursAsync() => TmuxAsync("capture-pane", "-p", "-e", "-J", "-S", "-2000", "-t", Target);

    /// <summary>Waits until the screen shows <paramref name="text"/> <paramref name="times"/> times; fails with the screen when it does not in time.</summary>
    public async Task<string> WaitForAsync(string text, int times = 1, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        string screen = "";
        while (deadline.Elapsed < (timeout ?? DefaultTimeout))
        {
            screen = await ScreenAsync();
            if (Count(screen, text) >= times)
            {
                return screen;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The terminal did not show '{text}' ({times}×) within {(timeout ?? DefaultTimeout).TotalSeconds} s. Screen:\n{screen}");
    }

    /// <summary>Waits until the last line on the screen is the empty chat prompt, so keys typed next go to it.</summary>
    public async Task<string> WaitForPromptAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        string screen = "";
        while (deadline.Elapsed < (timeout ?? DefaultTimeout))
        {
            screen = await ScreenAsync();
            string? last = screen.Split('\n').Select(line => line.TrimEnd()).LastOrDefault(line => line.Length > 0);
            if (last == "›")
            {
                return screen;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The chat prompt did not come back within {(timeout ?? DefaultTimeout).TotalSeconds} s. Screen:\n{screen}");
    }

    /// <summary>Waits for the command to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        string screen = await WaitForAsync("[exit ");
        string tail = screen[(screen.LastIndexOf("[exit ", StringComparison.Ordinal) + 6)..];
        return int.Parse(tail[..tail.IndexOf(']', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            using Process? process = Process.Start(new ProcessStartInfo("tmux", ["-L", _socket, "kill-server"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            process?.WaitForExit(5_000);
        }
        catch (Win32Exception)
        {
            // tmux is missing: nothing was started.
        }
    }

    internal static int Count(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task EnsureInstalledAsync()
    {
        try
        {
            using Process process = Process.Start(new ProcessStartInfo("tmux", ["-V"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            await process.WaitForExitAsync();
            if (process.ExitCode == 0)
            {
                return;
            }
        }
        catch (Win32Exception)
        {
            // Not on the PATH: fall through to the failure below.
        }

        throw new Xunit.Sdk.XunitException("These tests drive the chat through a pseudo-terminal: install tmux (apt-get install tmux).");
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task<string> TmuxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}
