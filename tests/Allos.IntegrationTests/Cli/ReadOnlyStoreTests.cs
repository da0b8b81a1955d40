using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// A data folder the user may read but not write, made honestly: the test (root, who writes past any mode bits) fills
/// it, and the command runs as the unprivileged user <c>nobody</c>, for whom root's files are read-only.
/// </summary>
public sealed class ReadOnlyStoreTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task ReadOnlyCommands_WorkOnAReadOnlyStore()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(50, 6));
        CliResult seeded = await Cli.RunAsync("run", "-m", Model, "-y", "--json", "Create notes/hello.txt");
        seeded.ExitCode.ShouldBe(0, seeded.ToString());
        string id = seeded.Json().GetProperty("session").GetString()!;
        byte[] before = await File.ReadAllBytesAsync(Path.Combine(Cli.Home, "allos.db"));
        Cli.Unprivileged = true;

        (await CheckedAsync("sessions", "list")).Stdout.ShouldContain(id[..8]);
        (await CheckedAsync("sessions", "show", id[..8], "--trace")).Stdout.ShouldContain("Created notes/hello.txt.");
        (await CheckedAsync("sessions", "search", "hello")).Stdout.ShouldContain(id[..8]);
        (await CheckedAsync("sessions", "export", id)).Json().GetProperty("id").GetString().ShouldBe(id);
        (await CheckedAsync("stats")).Stdout.ShouldContain("openai/gpt-4o-mini");
        (await File.ReadAllBytesAsync(Path.Combine(Cli.Home, "allos.db"))).ShouldBe(before);
    }

    [Fact]
    public async Task ReadOnlyStoreWithAnOlderSchema_IsOneClearLine()
    {
        string file = Path.Combine(Cli.Home, "allos.db");
        await using (await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = file }, [.. SqliteMigrations.All.Where(m => m.Version <= 2)], CancellationToken.None))
        {
        }

        Cli.Unprivileged = true;
        CliResult result = await Cli.RunAsync("sessions", "list");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldStartWith($"error: The session database {file} is from an older Allos and must be upgraded once, which needs write access");
        result.Stderr.ShouldContain("ALLOS_HOME");
        result.Stderr.ShouldNotContain("   at ");

        Cli.Unprivileged = false;
        CliResult upgraded = await Cli.RunAsync("sessions", "list");
        upgraded.ExitCode.ShouldBe(0, upgraded.ToString());
        upgraded.Stderr.ShouldContain("No sessions yet", customMessage: "with write access the same command upgrades the file");
    }

    [Fact]
    public async Task PaidRun_OnAReadOnlyStore_FailsBeforeTheModelCallAndJsonSaysSo()
    {
        // A current, empty store the user cannot write.
        (await Cli.RunAsync("sessions", "list")).ExitCode.ShouldBe(0);
        Cli.Unprivileged = true;

        CliResult result = await Cli.RunAsync("run", "-m", Model, "--json", "Hello");

        result.ExitCode.ShouldBe(1, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("failed");
        json.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("read-only");
        Server.Requests.ShouldBeEmpty("nothing was paid for");
    }

    private async Task<CliResult> CheckedAsync(params string[] args)
    {
        CliResult result = await Cli.RunAsync(args);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result;
    }
}
