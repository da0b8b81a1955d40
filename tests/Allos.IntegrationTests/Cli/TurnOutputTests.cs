namespace Allos.IntegrationTests.Cli;

/// <summary>
/// What a turn shows on standard error (issue 12): <c>-v</c> lines never land on the spinner's line, and a tool call
/// that failed or was cancelled is never a ✓.
/// </summary>
public sealed class TurnOutputTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Chat_VerboseWhileTheSpinnerRuns_LogLinesGetTheirOwnLines()
    {
        // The retry waits a second with the spinner up, so the second request's log line comes while it shows.
        Server.Enqueue(
            FakeTurn.Error(503, """{"error":{"message":"overloaded","type":"server_error"}}""", new Dictionary<string, string> { ["retry-after"] = "1" }),
            FakeTurn.Text("Recovered after a retry."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model, "-v");
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("hello");
        await terminal.WaitForAsync("Recovered after a retry.");
        string screen = await terminal.WaitForPromptAsync();

        string[] lines = [.. screen.Split('\n').Select(line => line.TrimEnd())];
        lines.Count(line => line.StartsWith("→ POST", StringComparison.Ordinal)).ShouldBe(2, screen);
        lines.Count(line => line.StartsWith("← 503", StringComparison.Ordinal)).ShouldBe(1, screen);
        lines.Where(line => line.Contains("thinking", StringComparison.Ordinal)).ShouldBeEmpty(screen);
    }

    [Fact]
    public async Task Chat_ToolCancelledWithCtrlC_IsShownCancelledNeverATick()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"sleep 20"}""")),
            FakeTurn.Text("Next answer."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model, "-y");
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Wait a while");
        await terminal.WaitForAsync("shell 1s");
        await terminal.KeysAsync("C-c");
        string screen = await terminal.WaitForPromptAsync();

        screen.Contains("✗ shell sleep 20 — cancelled", StringComparison.Ordinal).ShouldBeTrue(screen);
        screen.ShouldNotContain("✓ shell", customMessage: screen);
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Run_CommandThatExitsNonZero_IsACrossWithItsExitCode()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"exit 3"}""")),
            FakeTurn.Text("It failed."));

        CliResult result = await Cli.RunAsync("run", "--model", Model, "-y", "run exit 3");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("✗ shell exit 3");
        result.Stderr.ShouldContain("— exit 3");
        result.Stderr.ShouldNotContain("✓ shell");
    }
}
