using System.Diagnostics;
using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// Runs the real <c>allos</c> command (the built Allos.Cli.dll) as a child process in a temporary workspace, with its own
/// data folder and an environment cleared of the developer's keys, base URLs and model settings.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly string[] Cleared = ["AI_PROVIDER", "ALLOS_DATABASE_URL", "ALLOS_MODEL", "ALLOS_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "OLLAMA_HOST", "NO_COLOR"];

    public CliProcess()
    {
        Root = Directory.CreateTempSubdirectory("allos-cli-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        Workspace = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
    }

    public string Root { get; }

    /// <summary>Gets the ALLOS_HOME of the process: its SQLite file and user config live here.</summary>
    public string Home { get; }

    /// <summary>Gets the working directory of the process (and so the default workspace).</summary>
    public string Workspace { get; }

    /// <summary>Gets variables set for every run (on top of the cleared environment).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public static string CommandPath
    {
        get
        {
            // Built beside this project (a ProjectReference without the assembly): same configuration and framework.
            string separator = Path.DirectorySeparatorChar.ToString();
            string ours = $"{separator}tests{separator}Allos.IntegrationTests{separator}bin{separator}";
            string theirs = $"{separator}src{separator}Allos.Cli{separator}bin{separator}";
            string path = Path.Combine(AppContext.BaseDirectory.Replace(ours, theirs, StringComparison.Ordinal), "Allos.Cli.dll");
            File.Exists(path).ShouldBeTrue($"The allos command is not built at {path}: build src/Allos.Cli (dotnet build Allos.slnx).");
            return path;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether the command runs as the unprivileged user <c>nobody</c> (through
    /// <c>setpriv</c>), for whom files the test (root) made are truly read-only: root writes past any mode bits.
    /// </summary>
    public bool Unprivileged { get; set; }

    /// <summary>Points a provider's base URL and key at a fake server.</summary>
    public CliProcess UseFakeServer(FakeProviderServer server, string provider)
    {
        switch (provider)
        {
            case "anthropic":
                Environment["ANTHROPIC_BASE_URL"] = server.BaseUri.ToString();
                Environment["ANTHROPIC_API_KEY"] = "sk-ant-test";
                break;
            case "gemini":
                Environment["GEMINI_BASE_URL"] = server.BaseUri.ToString();
                Environment["GEMINI_API_KEY"] = "gemini-test";
                break;
            case "ollama":
                Environment["OLLAMA_HOST"] = server.BaseUri.ToString();
                break;
            default:
                Environment["OPENAI_BASE_URL"] = server.OpenAIEndpoint.ToString();
                Environment["OPENAI_API_KEY"] = "sk-test";
                break;
        }

        return this;
    }

    /// <summary>Runs the command with empty standard input (closed at once), and waits (at most a minute).</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, null, args);

    /// <summary>Runs the command with <paramref name="stdin"/> piped in (closed after it), and waits (at most a minute).</summary>
    /// <remarks>A separate name, not an overload: with <c>params</c>, <c>RunAsync("run", "-m", …)</c> would bind "run" to the input.</remarks>
    public Task<CliResult> RunWithInputAsync(string stdin, params string[] args) => RunWithInputAsync(stdin, null, args);

    /// <summary>Runs the command; <paramref name="onStarted"/> runs once the process is up (to signal it, for example).</summary>
    public async Task<CliResult> RunWithInputAsync(string stdin, Func<Process, Task>? onStarted, params string[] args)
    {
        // A test that signals the process needs SIGINT at its default: a test run started as a background job (`… &`)
        // passes SIGINT and SIGQUIT on ignored, and an ignored signal stays ignored across exec. GNU env resets it.
        var start = new ProcessStartInfo(Unprivileged && !OperatingSystem.IsWindows() ? "setpriv" : onStarted is null ? "dotnet" : "env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Workspace,
        };
        if (Unprivileged && !OperatingSystem.IsWindows())
        {
            // The temporary folders are the test's own (mode 700): nobody may enter them, and read what root wrote there.
            foreach (string folder in new[] { Root, Home, Workspace })
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            }

            foreach (string argument in new[] { "--reuid=65534", "--regid=65534", "--clear-groups" })
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(onStarted is null ? "dotnet" : "env");
        }

        if (onStarted is not null)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(CommandPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string name in start.Environment.Keys.ToList())
        {
            if (Cleared.Contains(name) || name.EndsWith("_API_KEY", StringComparison.Ordinal) || name.EndsWith("_BASE_URL", StringComparison.Ordinal)
                || name.StartsWith("AZURE_OPENAI", StringComparison.Ordinal) || name == "GOOGLE_API_KEY")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["ALLOS_HOME"] = Home;
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string value) in Environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("allos did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);

        process.StandardInput.Close();
        if (onStarted is not null)
        {
            await onStarted(process);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"allos {string.Join(' ', args)} did not finish within a minute. stderr so far: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file for a moment; the folder is in the temp directory.
        }
    }
}

/// <summary>What a run of the command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Parses standard output as the single JSON object of <c>--json</c> (fails if there is anything else).</summary>
    public JsonElement Json()
    {
        using JsonDocument document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
