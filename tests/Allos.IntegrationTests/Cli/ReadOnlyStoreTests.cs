using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// A data folder the user may read but not write, made honestly: the test (root, who writes past any mode bits) fills
/// it, and the command runs as the unprivileged user <c>nobody</c>, for whom root's files are read-only.
/// </summary>
public sealed class ReadOnlyStoreTests : IAsyncLifetime
{
    private const string Model = "openai/gpt-4o-mini";
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _cli.UseFakeServer(_server, "openai");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task ReadOnlyCommands_WorkOnAReadOnlyStore()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(50, 6));
        CliResult seeded = await _cli.RunAsync("run", "-m", Model, "-y", "--json", "Create notes/hello.txt");
        seeded.ExitCode.ShouldBe(0, seeded.ToString());
        string id = seeded.Json().GetProperty("session").GetString()!;
        byte[] before = await File.ReadAllBytesAsync(Path.Combine(_cli.Home, "allos.db"));
        _cli.Unprivileged = true;

        (await CheckedAsync("sessions", "list")).Stdout.ShouldContain(id[..8]);
        (await CheckedAsync("sessions", "show", id[..8], "--trace")).Stdout.ShouldContain("Created notes/hello.txt.");
        (await CheckedAsync("sessions", "search", "hello")).Stdout.ShouldContain(id[..8]);
        (await CheckedAsync("sessions", "export", id)).Json().GetProperty("id").GetString().ShouldBe(id);
        (await CheckedAsync("stats")).Stdout.ShouldContain("openai/gpt-4o-mini");
        (await File.ReadAllBytesAsync(Path.Combine(_cli.Home, "allos.db"))).ShouldBe(before);
    }

    [Fact]
    public async Task ReadOnlyStoreWithAnOlderSchema_IsOneClearLine()
    {
        string file = Path.Combine(_cli.Home, "allos.db");
        await using (await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = file }, [.. SqliteMigrations.All.Where(m => m.Version <= 2)], CancellationToken.None))
        {
        }

        _cli.Unprivileged = true;
        CliResult result = await _cli.RunAsync("sessions", "list");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldStartWith($"error: The session database {file} is from an older Allos and must be upgraded once, which needs write access");
        result.Stderr.ShouldContain("ALLOS_HOME");
        result.Stderr.ShouldNotContain("   at ");

        _cli.Unprivileged = false;
        CliResult upgraded = await _cli.RunAsync("sessions", "list");
        upgraded.ExitCode.ShouldBe(0, upgraded.ToString());
        upgraded.Stderr.ShouldContain("No sessions yet", customMessage: "with write access the same command upgrades the file");
    }

    [Fact]
    public async Task PaidRun_OnAReadOnlyStore_FailsBeforeTheModelCallAndJsonSaysSo()
    {
        // A current, empty store the user cannot write.
        (await _cli.RunAsync("sessions", "list")).ExitCode.ShouldBe(0);
        _cli.Unprivileged = true;

        CliResult result = await _cli.RunAsync("run", "-m", Model, "--json", "Hello");

        result.ExitCode.ShouldBe(1, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("failed");
        json.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("read-only");
        _server.Requests.ShouldBeEmpty("nothing was paid for");
    }

    private async Task<CliResult> CheckedAsync(params string[] args)
    {
        CliResult result = await _cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }
}
