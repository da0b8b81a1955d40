using System.Text.RegularExpressions;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// <c>allos chat</c> as a real process against the fake provider server: in a pseudo-terminal (tmux) as a person uses
/// it, and with piped standard input as a script does.
/// </summary>
public sealed partial class ChatCommandTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Chat_TerminalConversation_ApprovesToolAndAnswersSlashCommands()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/a.txt","content":"from the chat\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Wrote notes/a.txt.").WithUsage(40, 8),
            FakeTurn.Text("Second answer.").WithUsage(60, 9),
            FakeTurn.Text("Third answer, on another model."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        string screen = await terminal.WaitForPromptAsync();
        screen.ShouldMatch(@"session [0-9a-f]{8}\n", "the banner shows the short id");

        await terminal.TypeLineAsync("Create notes/a.txt");
        await terminal.WaitForAsync("Allow? [y]es");
        await terminal.TypeLineAsync("y");
        await terminal.WaitForAsync("Wrote notes/a.txt.");
        screen = await terminal.WaitForPromptAsync();
        screen.ShouldContain("✓ write_file notes/a.txt");
        File.ReadAllText(Path.Combine(Cli.Workspace, "notes", "a.txt")).ShouldBe("from the chat\n");

        await terminal.TypeLineAsync("And a second question?");
        await terminal.WaitForAsync("Second answer.");
        await terminal.WaitForPromptAsync();
        Server.Requests[2].Body.ShouldContain("Create notes/a.txt", customMessage: "the second turn carries the first exchange");
        Server.Requests[2].Body.ShouldContain("Wrote notes/a.txt.");

        await terminal.TypeLineAsync("/cost");
        screen = await terminal.WaitForAsync("session total:");
        screen.ShouldContain("this chat: 130 in · 22 out");
        screen.ShouldContain("(2 turns)");
        screen.ShouldContain("session total: 130 in · 22 out");

        await terminal.TypeLineAsync("/session");
        screen = await terminal.WaitForAsync("messages  ");
        screen.ShouldContain("messages  6");

        await terminal.TypeLineAsync("/model");
        await terminal.WaitForAsync($"model: {Model}");
        await terminal.TypeLineAsync("/model nope/x");
        await terminal.WaitForAsync($"(still on {Model})");
        await terminal.TypeLineAsync("/model openai/gpt-4.1-mini");
        await terminal.WaitForAsync("model: openai/gpt-4.1-mini for the next turns");
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("Third?");
        await terminal.WaitForAsync("Third answer, on another model.");
        Server.Requests[3].Body.ShouldContain("\"gpt-4.1-mini\"");

        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Chat_TerminalCtrlCAtTheApprovalQuestion_CancelsTheTurnWithoutRunningTheTool()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"never.txt","content":"x"}""")),
            FakeTurn.Text("Next answer."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Write never.txt");
        await terminal.WaitForAsync("Allow? [y]es");
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("cancelled");
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("Something else");
        await terminal.WaitForAsync("Next answer.");

        File.Exists(Path.Combine(Cli.Workspace, "never.txt")).ShouldBeFalse();
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Chat_TerminalCtrlC_CancelsTheTurnThenClearsTheLineThenQuits()
    {
        // Lines, because on a terminal the answer is rendered (light Markdown) a line at a time.
        string story = "Once upon a time\n" + string.Join('\n', Enumerable.Repeat("and then", 200));
        Server.Enqueue(
            FakeTurn.Text(story).WithTextChunkSize(0).WithChunkDelay(TimeSpan.FromMilliseconds(150)),
            FakeTurn.Text("Yes, still here."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Tell me a long story");
        await terminal.WaitForAsync("Once upon");
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("cancelled");
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Still there?");
        await terminal.WaitForAsync("Yes, still here.");
        await terminal.WaitForPromptAsync();

        // At the prompt: Ctrl+C clears the line (nothing is sent); on an empty line it warns, and a second one quits.
        await terminal.KeysAsync("-l", "a draft never sent");
        await terminal.WaitForAsync("a draft never sent");
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("^C", times: 1);
        await terminal.WaitForPromptAsync();
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("Ctrl+C again to quit");
        await terminal.KeysAsync("C-c");
        (await terminal.WaitForExitAsync()).ShouldBe(130, await terminal.ScreenAsync());
        Server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Chat_TerminalCtrlCCancelsATurn_TheProgramKeepsRunningAfterwards()
    {
        // System.CommandLine's own Ctrl+C handling ended the process 2 s after a cancelled turn, with exit 130.
        Server.Enqueue(
            FakeTurn.Text("Once upon a time\n" + string.Join('\n', Enumerable.Repeat("and then", 200))).WithTextChunkSize(0).WithChunkDelay(TimeSpan.FromMilliseconds(150)),
            FakeTurn.Text("Yes, still here."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("Tell me a long story");
        await terminal.WaitForAsync("Once upon");
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("cancelled");
        await terminal.WaitForPromptAsync();

        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than System.CommandLine's termination timeout
        (await terminal.ScreenAsync()).ShouldNotContain("[exit ");
        await terminal.TypeLineAsync("Still there?");
        await terminal.WaitForAsync("Yes, still here.");
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("-i")]
    [InlineData(null)]
    public async Task Chat_TerminalEndOfInput_ExitsZero(string? how)
    {
        // `allos chat`, `allos -i` and `allos` alone all start the chat on a terminal.
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, how is null ? ["--model", Model] : [how, "--model", Model]);
        await terminal.WaitForAsync("session ");
        await terminal.WaitForPromptAsync();

        await terminal.KeysAsync("C-d");

        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Chat_PipedMessages_AnswersEachAndASecondProcessResumesTheSession()
    {
        Server.Enqueue(
            FakeTurn.Text("Hi!").WithUsage(10, 2),
            FakeTurn.Text("You said: Hello there.").WithUsage(20, 4),
            FakeTurn.Text("Still here."));

        CliResult first = await Cli.RunWithInputAsync("Hello there\nWhat did I say?\n", "chat", "--model", Model);

        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain("Hi!");
        first.Stdout.ShouldContain("You said: Hello there.");
        first.Stderr.ShouldNotContain("\u001b[", customMessage: "no colours when not on a terminal");
        Server.Requests[1].Body.ShouldContain("Hello there");
        Server.Requests[1].Body.ShouldContain("Hi!");
        string id = SessionLine().Match(first.Stderr).Groups[1].Value;
        id.ShouldNotBeNullOrEmpty(first.ToString());

        CliResult second = await Cli.RunWithInputAsync("And now?\n", "chat", "--model", Model, "--session", id);

        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stderr.ShouldContain($"resumed session {id} (4 messages)");
        second.Stdout.ShouldContain("Still here.");
        string body = Server.Requests[2].Body;
        body.ShouldContain("Hello there");
        body.ShouldContain("Hi!");
        body.ShouldContain("You said: Hello there.");
        body.ShouldContain("And now?");
    }

    [Fact]
    public async Task Chat_Clear_NextTurnAndLaterProcessesSeeNoHistory()
    {
        Server.Enqueue(FakeTurn.Text("Noted."), FakeTurn.Text("What word?"));

        CliResult result = await Cli.RunWithInputAsync("Remember the word PELICAN\n/clear\nWhat was the word?\n", "chat", "--model", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("cleared");
        Server.Requests[0].Body.ShouldContain("PELICAN");
        Server.Requests[1].Body.ShouldNotContain("PELICAN");
        string id = SessionLine().Match(result.Stderr).Groups[1].Value;

        CliResult later = await Cli.RunWithInputAsync("/session\n", "chat", "--model", Model, "--session", id);

        later.Stderr.ShouldContain($"resumed session {id} (2 messages)", customMessage: later.ToString());
    }

    [Fact]
    public async Task Chat_Compact_SummarizesOlderTurnsAndKeepsTheLastTwo()
    {
        Server.Enqueue(
            FakeTurn.Text("answer one"),
            FakeTurn.Text("answer two"),
            FakeTurn.Text("answer three"),
            FakeTurn.Text("SUMMARY-OF-TURN-ONE").WithUsage(100, 10),
            FakeTurn.Text("answer four"));

        CliResult result = await Cli.RunWithInputAsync("first question\nsecond question\nthird question\n/compact\nfourth question\n", "chat", "--model", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("compacted 1 turn (2 messages) into a summary");
        string summarize = Server.Requests[3].Body;
        summarize.ShouldContain("first question");
        summarize.ShouldContain("answer one");
        summarize.ShouldNotContain("third question");
        string next = Server.Requests[4].Body;
        next.ShouldContain("SUMMARY-OF-TURN-ONE");
        next.ShouldContain("second question");
        next.ShouldContain("answer three");
        next.ShouldNotContain("first question");
        next.ShouldNotContain("answer one");

        string id = SessionLine().Match(result.Stderr).Groups[1].Value;
        CliResult later = await Cli.RunWithInputAsync("/cost\n", "chat", "--model", Model, "--session", id);
        later.Stderr.ShouldContain($"resumed session {id} (7 messages)", customMessage: later.ToString());
        later.Stderr.ShouldContain("session total: 100 in · 10 out", customMessage: "the summarizing call counts in the session's totals");
    }

    [Fact]
    public async Task Chat_SlashCommands_UnknownOneListsThemAndAutonomyTakesEffect()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"b.txt","content":"b"}""")),
            FakeTurn.Text("Done."));

        CliResult result = await Cli.RunWithInputAsync("/nope\n/autonomy autonomous\n/tools\nwrite b.txt\n", "chat", "--model", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("error: unknown command /nope. Commands: /help, /model, /tools, /autonomy, /session, /cost, /clear, /compact, /exit");
        result.Stderr.ShouldContain("autonomy: autonomous");
        result.Stderr.ShouldMatch(@"write_file\s*│\s*writes\s*│\s*allow");
        result.Stderr.ShouldNotContain("Allow?");
        File.ReadAllText(Path.Combine(Cli.Workspace, "b.txt")).ShouldBe("b");
    }

    [GeneratedRegex(@"^session ([0-9a-f]{8,32})$", RegexOptions.Multiline)]
    private static partial Regex SessionLine();
}
