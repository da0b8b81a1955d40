namespace Allos.IntegrationTests.Cli;

/// <summary>
/// Keeping the store in order as a real process: pinning, pruning old sessions, the stored trace of a session, and
/// search over tool calls and results.
/// </summary>
public sealed class SessionsMaintenanceTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Pin_MarksTheSessionInTheListWithoutMovingIt_AndUnpinClearsIt()
    {
        string older = await RunAsync("The older one");
        string newer = await RunAsync("The newer one");

        CliResult pinned = await Cli.RunAsync("sessions", "pin", older[..6]);

        pinned.ExitCode.ShouldBe(0, pinned.ToString());
        pinned.Stderr.ShouldContain($"Pinned session {older[..8]}");
        string[] lines = await ListAsync();
        int olderLine = Array.FindIndex(lines, line => line.StartsWith(older[..8] + "*", StringComparison.Ordinal));
        olderLine.ShouldBeGreaterThan(0, string.Join('\n', lines));
        Array.FindIndex(lines, line => line.StartsWith(newer[..8] + " ", StringComparison.Ordinal)).ShouldBeLessThan(olderLine, "pinning is not an update: the newer session stays first");
        lines.ShouldContain("* pinned: kept by `allos sessions prune`");

        (await Cli.RunAsync("sessions", "unpin", older)).ExitCode.ShouldBe(0);
        string pinMark = older[..8] + "*";
        (await ListAsync()).ShouldNotContain(line => line.StartsWith(pinMark, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prune_DryRunListsAndKeepsEverything_ThenDeletesTheUnpinnedOnes()
    {
        string kept = await RunAsync("Keep this one");
        string gone = await RunAsync("Let this one go");
        (await Cli.RunAsync("sessions", "pin", kept)).ExitCode.ShouldBe(0);

        // 0d: everything not updated before now is old enough.
        CliResult dry = await Cli.RunAsync("sessions", "prune", "--older-than", "0d", "--dry-run");

        dry.ExitCode.ShouldBe(0, dry.ToString());
        dry.Stdout.ShouldContain(gone[..8]);
        dry.Stdout.ShouldContain("Let this one go");
        dry.Stdout.ShouldNotContain(kept[..8]);
        dry.Stderr.ShouldContain("dry run: 1 session(s)");
        (await ListAsync()).Length.ShouldBe(4, "header, two sessions and the pin legend: nothing deleted");

        CliResult pruned = await Cli.RunAsync("sessions", "prune", "--older-than", "0d", "--keep-pinned");

        pruned.ExitCode.ShouldBe(0, pruned.ToString());
        pruned.Stderr.ShouldContain("Deleted 1 session(s)");
        (await Cli.RunAsync("sessions", "show", gone)).ExitCode.ShouldBe(1);
        (await Cli.RunAsync("sessions", "show", kept)).ExitCode.ShouldBe(0);

        CliResult all = await Cli.RunAsync("sessions", "prune", "--older-than", "0d", "--keep-pinned", "false");
        all.Stderr.ShouldContain("Deleted 1 session(s)");
        (await Cli.RunAsync("sessions", "show", kept)).ExitCode.ShouldBe(1);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("all")]
    public async Task Prune_BadOlderThan_IsAUsageError(string value)
    {
        CliResult result = await Cli.RunAsync("sessions", "prune", "--older-than", value);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain($"--older-than '{value}'");
    }

    [Fact]
    public async Task Prune_WithoutOlderThan_IsAUsageError()
    {
        CliResult result = await Cli.RunAsync("sessions", "prune");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("--older-than");
    }

    [Fact]
    public async Task ShowTrace_PrintsEachStoredStepWithModelToolTokensAndStatus()
    {
        string id = await SeedToolRunAsync();

        CliResult result = await Cli.RunAsync("sessions", "show", id[..8], "--trace");

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] lines = result.Stdout.Split('\n');
        string trace = lines.Where(line => line.StartsWith("trace (", StringComparison.Ordinal)).ShouldHaveSingleItem();
        trace.ShouldContain("1 runs");
        string[] models = [.. lines.Where(line => line.Contains("  model  openai/gpt-4o-mini", StringComparison.Ordinal))];
        models.Length.ShouldBe(2, result.Stdout);
        models[0].ShouldContain("30 in / 5 out");
        models[1].ShouldContain("50 in / 6 out");
        models[1].ShouldContain("→ Created notes/zanzibar.txt.");
        string tool = lines.Where(line => line.Contains("  tool  write_file", StringComparison.Ordinal)).ShouldHaveSingleItem();
        tool.ShouldContain("zanzibar");
        tool.ShouldContain(" ok ");
        tool.ShouldMatch(@"^  \d\d:\d\d:\d\d  allos  tool  write_file .* \d+ ms$");

        (await Cli.RunAsync("sessions", "show", id)).Stdout.ShouldNotContain("trace (", customMessage: "only with --trace");
    }

    [Fact]
    public async Task Search_FindsToolArgumentsAndResults_AndPrefixes()
    {
        string id = await SeedToolRunAsync();
        string plain = await RunAsync("Nothing about islands here");

        CliResult argument = await Cli.RunAsync("sessions", "search", "archipelago");
        argument.ExitCode.ShouldBe(0, argument.ToString());
        argument.Stdout.ShouldContain(id[..8]);
        argument.Stdout.ShouldContain("assistant", customMessage: "the match is the tool call's content argument");

        CliResult prefix = await Cli.RunAsync("sessions", "search", "zanzib*");
        prefix.ExitCode.ShouldBe(0, prefix.ToString());
        prefix.Stdout.ShouldContain(id[..8]);
        prefix.Stdout.ShouldNotContain(plain[..8]);

        File.WriteAllText(Path.Combine(Cli.Workspace, "fauna.txt"), "the quokka smiles\n");
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_r", "read_file", """{"path":"fauna.txt"}""")),
            FakeTurn.Text("It smiles."));
        CliResult read = await Cli.RunAsync("run", "-m", Model, "-y", "--json", "What does the file say?");
        read.ExitCode.ShouldBe(0, read.ToString());
        string reader = read.Json().GetProperty("session").GetString()!;

        CliResult result = await Cli.RunAsync("sessions", "search", "quokka");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(reader[..8]);
        result.Stdout.ShouldContain("tool", customMessage: "the match is the tool result");
    }

    [Fact]
    public async Task MemorySearch_ShowsWhatRecallWouldAdd_AndRunWithMemoryRecallSendsIt()
    {
        string earlier = await RunAsync("Our kubernetes ingress uses the nginx controller");

        CliResult shown = await Cli.RunAsync("memory", "search", "fix the kubernetes ingress");

        shown.ExitCode.ShouldBe(0, shown.ToString());
        shown.Stdout.ShouldStartWith("Recalled from the user's earlier sessions");
        shown.Stdout.ShouldContain($"[session {earlier}, ");
        shown.Stdout.ShouldContain("user] Our kubernetes ingress uses the nginx controller");
        CliResult none = await Cli.RunAsync("memory", "search", "a haiku about autumn");
        none.ExitCode.ShouldBe(0, none.ToString());
        none.Stderr.ShouldContain("a run would recall nothing");

        int before = Server.Requests.Count;
        await RunAsync("fix the kubernetes ingress");
        Server.Requests[before].Body.ShouldNotContain("nginx controller", customMessage: "recall is opt-in");
        Server.Enqueue(FakeTurn.Text("Done."));
        CliResult recalled = await Cli.RunAsync("run", "-m", Model, "--memory", "recall", "--json", "fix the kubernetes ingress");
        recalled.ExitCode.ShouldBe(0, recalled.ToString());
        Server.Requests[^1].Body.ShouldContain("user] Our kubernetes ingress uses the nginx controller");

        CliResult bad = await Cli.RunAsync("run", "-m", Model, "--memory", "all", "x");
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.Stderr.ShouldContain("--memory takes recall or none, not 'all'");
    }

    /// <summary>A run with one tool call whose arguments hold words no message text has.</summary>
    private async Task<string> SeedToolRunAsync()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/zanzibar.txt","content":"an archipelago\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Created notes/zanzibar.txt.").WithUsage(50, 6));
        CliResult result = await Cli.RunAsync("run", "-m", Model, "-y", "--json", "Write the note");
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.Json().GetProperty("session").GetString()!;
    }

    private async Task<string> RunAsync(string task)
    {
        Server.Enqueue(FakeTurn.Text("Fine.").WithUsage(20, 5));
        CliResult result = await Cli.RunAsync("run", "-m", Model, "--json", task);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.Json().GetProperty("session").GetString()!;
    }

    private async Task<string[]> ListAsync()
    {
        CliResult list = await Cli.RunAsync("sessions", "list");
        list.ExitCode.ShouldBe(0, list.ToString());
        return [.. list.Stdout.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0)];
    }
}
