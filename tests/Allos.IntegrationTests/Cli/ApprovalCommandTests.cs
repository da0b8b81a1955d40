namespace Allos.IntegrationTests.Cli;

/// <summary>Approvals in the command: the prompt on a real terminal (tmux), line answers on a pipe, and <c>run --approve</c> / <c>--deny</c>.</summary>
public sealed class ApprovalCommandTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Run_TerminalApproval_OneKeyAnswersAndTheDiffIsUnifiedAndColoured()
    {
        File.WriteAllText(Path.Combine(Cli.Workspace, "greeting.txt"), "one\ntwo\nthree\nhello\nworld\nfour\nfive\nsix\nseven\n");
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "edit_file", """{"path":"greeting.txt","old_text":"world","new_text":"there"}""")),
            FakeTurn.Text("Edited."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "run", "-m", Model, "Change world to there");

        string screen = await terminal.WaitForAsync("Allow? [y]es");
        screen.ShouldContain("edit_file wants to run (writes files)");
        screen.ShouldNotContain("'edit_file'", customMessage: "the tool is named once");
        screen.ShouldContain("@@ -2,7 +2,7 @@");
        screen.ShouldContain(" three");
        screen.ShouldContain("-world");
        screen.ShouldContain("+there");
        screen.ShouldContain(" six");
        screen.ShouldNotContain(" seven", customMessage: "three lines of context, no more");
        string colours = await terminal.ScreenWithColoursAsync();
        colours.ShouldContain("\u001b[31m-world");
        colours.ShouldContain("\u001b[32m+there");

        await terminal.KeysAsync("y"); // no Enter
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
        File.ReadAllText(Path.Combine(Cli.Workspace, "greeting.txt")).ShouldContain("hello\nthere\n");
    }

    [Fact]
    public async Task Run_TerminalApproval_AnInvalidKeySaysWhyAndAsksAgain()
    {
        Server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"a.txt","content":"a"}""")), FakeTurn.Text("Wrote it."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "run", "-m", Model, "Write a.txt");
        await terminal.WaitForAsync("Allow? [y]es");

        await terminal.KeysAsync("x");
        await terminal.WaitForAsync("'x' is not an answer: type y, n, a, d or t");
        await terminal.WaitForAsync("Allow? [y]es", times: 2);
        await terminal.KeysAsync("y");

        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
        File.ReadAllText(Path.Combine(Cli.Workspace, "a.txt")).ShouldBe("a");
    }

    [Fact]
    public async Task Chat_TerminalDenialWithANote_TheModelReadsTheNoteAndToolsShowsTheAnswers()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"src/t.txt","content":"x"}""")),
            FakeTurn.Text("Moving it."),
            FakeTurn.ToolCalls(new FakeToolCall("call_2", "shell", """{"command":"ls"}""")),
            FakeTurn.Text("Listed."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Write a test file");
        await terminal.WaitForAsync("Allow? [y]es");
        await terminal.KeysAsync("t");
        await terminal.WaitForAsync("no, and tell the model:");
        await terminal.TypeLineAsync("use the tests folder instead");
        await terminal.WaitForAsync("Moving it.");
        await terminal.WaitForPromptAsync();
        Server.Requests[1].Body.ShouldContain("note: use the tests folder instead");
        File.Exists(Path.Combine(Cli.Workspace, "src", "t.txt")).ShouldBeFalse();

        await terminal.TypeLineAsync("List files");
        await terminal.WaitForAsync("Allow? [y]es", times: 2);
        await terminal.KeysAsync("a");
        await terminal.WaitForAsync("Listed.");
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("/tools");
        string screen = await terminal.WaitForAsync("your answers are those given in this chat");
        screen.ShouldMatch(@"write_file\s*│[^\n]*│\s*denied 1×");
        screen.ShouldMatch(@"shell\s*│[^\n]*│\s*allowed always");
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Chat_PipedLineAnswers_AnInvalidOneSaysWhyAndADenialCarriesItsNote()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"rm -rf build"}""")),
            FakeTurn.Text("Understood."));

        CliResult result = await Cli.RunWithInputAsync("Clean the build\nmaybe\nn: keep the build folder\n", "chat", "--model", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("'maybe' is not an answer");
        result.Stderr.ShouldContain("⊘ denied shell rm -rf build");
        result.Stderr.ShouldNotContain("\u001b[", customMessage: "no colour when standard error is not a terminal");
        Server.Requests[1].Body.ShouldContain("denied by the user (note: keep the build folder)");
    }

    [Fact]
    public async Task Run_StoppedAwaitingApproval_ApproveRunsTheCallsAndCarriesOn()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"out.txt","content":"approved later"}""")),
            FakeTurn.Text("Wrote out.txt."));

        CliResult stopped = await Cli.RunAsync("run", "-m", Model, "-s", "job-1", "Write out.txt");
        stopped.ExitCode.ShouldBe(4, stopped.ToString());
        stopped.Stderr.ShouldContain("allos run -s job-1 --approve");
        File.Exists(Path.Combine(Cli.Workspace, "out.txt")).ShouldBeFalse();

        CliResult continued = await Cli.RunAsync("run", "-m", Model, "-s", "job-1", "--approve");

        continued.ExitCode.ShouldBe(0, continued.ToString());
        continued.Stdout.Trim().ShouldBe("Wrote out.txt.");
        File.ReadAllText(Path.Combine(Cli.Workspace, "out.txt")).ShouldBe("approved later");
        Server.Requests.Count.ShouldBe(2);
        Server.Requests[1].Body.ShouldContain("call_1", customMessage: "the model gets the result of the approved call");

        CliResult again = await Cli.RunAsync("run", "-m", Model, "-s", "job-1", "--approve");
        again.ExitCode.ShouldBe(2, again.ToString());
        again.Stderr.ShouldContain("has no run waiting for approval");
    }

    [Fact]
    public async Task Run_NewSessionStoppedAwaitingApproval_ItsSessionLineSaysHowToAnswer_AndTheShortIdContinuesIt()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"later.txt","content":"ok"}""")),
            FakeTurn.Text("Wrote later.txt."));

        CliResult stopped = await Cli.RunAsync("run", "-m", Model, "Write later.txt");
        stopped.ExitCode.ShouldBe(4, stopped.ToString());
        string line = stopped.Stderr.Split('\n').Where(l => l.StartsWith("session ", StringComparison.Ordinal)).ShouldHaveSingleItem().TrimEnd();
        string shortId = line.Split(' ')[1];
        line.ShouldBe($"session {shortId}  (answer: allos run -s {shortId} --approve, or --deny \"what to do instead\")");

        CliResult continued = await Cli.RunAsync("run", "-m", Model, "-s", shortId, "--approve");

        continued.ExitCode.ShouldBe(0, continued.ToString());
        continued.Stdout.Trim().ShouldBe("Wrote later.txt.");
        File.ReadAllText(Path.Combine(Cli.Workspace, "later.txt")).ShouldBe("ok");
    }

    [Fact]
    public async Task Run_SessionFileStoppedAwaitingApproval_DenyWithANoteTellsTheModel()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"rm -rf build"}""")),
            FakeTurn.Text("I will keep it."));
        string file = Path.Combine(Cli.Workspace, "job.json");

        CliResult stopped = await Cli.RunAsync("run", "-m", Model, "--json", "-s", file, "Clean the build");
        stopped.ExitCode.ShouldBe(4, stopped.ToString());
        stopped.Json().GetProperty("status").GetString().ShouldBe("awaiting_approval");

        CliResult continued = await Cli.RunAsync("run", "-m", Model, "-s", file, "--deny", "keep", "the", "build", "folder");

        continued.ExitCode.ShouldBe(0, continued.ToString());
        continued.Stdout.Trim().ShouldBe("I will keep it.");
        Server.Requests[1].Body.ShouldContain("denied by the user (note: keep the build folder)");
        File.ReadAllText(file).ShouldContain("I will keep it.");
    }

    [Theory]
    [InlineData("--approve", "--deny")]
    [InlineData("--approve")]
    public async Task Run_ApproveOrDenyUsedWrongly_IsAUsageError(params string[] flags)
    {
        CliResult result = await Cli.RunAsync(["run", "-m", Model, .. flags]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(flags.Length == 2 ? "pass one of them" : "name its session with -s ID");
        Server.Requests.ShouldBeEmpty();
    }
}
