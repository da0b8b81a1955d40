using System.Text.Json;
using System.Text.RegularExpressions;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// What <c>allos chat</c> keeps in the history (issue 12): a cancelled turn keeps what was streamed, marked interrupted,
/// so no two user turns follow each other; <c>/clear</c> and <c>/compact</c> change what later turns see, never the stored transcript.
/// </summary>
public sealed partial class ChatHistoryTests : IAsyncLifetime
{
    private const string Model = "openai/gpt-4o-mini";
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Theory]
    [InlineData("openai", "openai/gpt-4o-mini")]
    [InlineData("anthropic", "anthropic/claude-sonnet-4-5")]
    [InlineData("gemini", "gemini/gemini-2.5-flash")]
    public async Task Chat_TurnCancelledMidStream_KeepsTheStreamedTextAsAnInterruptedAnswer(string provider, string model)
    {
        _cli.UseFakeServer(_server, provider);
        _server.Enqueue(
            FakeTurn.Text("Once upon a time\n" + string.Join('\n', Enumerable.Repeat("and then", 200))).WithTextChunkSize(0).WithChunkDelay(TimeSpan.FromMilliseconds(150)),
            FakeTurn.Text("Yes, still here."));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(_cli, "chat", "--model", model);
        await terminal.WaitForPromptAsync();
        await terminal.TypeLineAsync("Tell me a long story");
        await terminal.WaitForAsync("Once upon");
        await terminal.KeysAsync("C-c");
        await terminal.WaitForAsync("cancelled");
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("Still there?");
        await terminal.WaitForAsync("Yes, still here.");
        await terminal.WaitForPromptAsync();

        RecordedRequest next = _server.Requests[1];
        Roles(next).ShouldBe(["user", "assistant", "user"], next.Body);
        next.Body.ShouldContain("Once upon", customMessage: "what was streamed before the cancel");
        next.Body.ShouldContain("[interrupted]");
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());
    }

    [Fact]
    public async Task Chat_Clear_LaterTurnsSeeNothingButTheStoreKeepsTheTranscript()
    {
        _cli.UseFakeServer(_server, "openai");
        _server.Enqueue(FakeTurn.Text("Noted."), FakeTurn.Text("What word?"), FakeTurn.Text("Still no word."));

        CliResult chat = await _cli.RunWithInputAsync("Remember the word PELICAN\n/clear\nWhat was the word?\n", "chat", "--model", Model);
        chat.ExitCode.ShouldBe(0, chat.ToString());
        string id = SessionLine().Match(chat.Stderr).Groups[1].Value;
        CliResult later = await _cli.RunWithInputAsync("And now?\n", "chat", "--model", Model, "--session", id);

        later.ExitCode.ShouldBe(0, later.ToString());
        later.Stderr.ShouldContain($"resumed session {id} (2 messages)");
        _server.Requests[1].Body.ShouldNotContain("PELICAN");
        _server.Requests[2].Body.ShouldNotContain("PELICAN", customMessage: "a later process continues after the clear too");
        _server.Requests[2].Body.ShouldContain("What was the word?");
        CliResult export = await _cli.RunAsync("sessions", "export", id);
        export.Stdout.ShouldContain("Remember the word PELICAN", customMessage: export.ToString());
        export.Stdout.ShouldContain("Noted.");
        (await _cli.RunAsync("sessions", "search", "PELICAN")).Stdout.ShouldContain(id[..8]);
    }

    [Fact]
    public async Task Chat_Compact_LaterTurnsSeeTheSummaryButTheStoreKeepsTheTranscript()
    {
        _cli.UseFakeServer(_server, "openai");
        _server.Enqueue(
            FakeTurn.Text("answer one"),
            FakeTurn.Text("answer two"),
            FakeTurn.Text("answer three"),
            FakeTurn.Text("SUMMARY-OF-TURN-ONE"),
            FakeTurn.Text("answer four"));

        CliResult chat = await _cli.RunWithInputAsync("first question\nsecond question\nthird question\n/compact\n", "chat", "--model", Model);
        chat.ExitCode.ShouldBe(0, chat.ToString());
        string id = SessionLine().Match(chat.Stderr).Groups[1].Value;
        CliResult later = await _cli.RunWithInputAsync("fourth question\n", "chat", "--model", Model, "--session", id);

        later.ExitCode.ShouldBe(0, later.ToString());
        string next = _server.Requests[4].Body;
        next.ShouldContain("SUMMARY-OF-TURN-ONE");
        next.ShouldContain("second question");
        next.ShouldContain("answer three");
        next.ShouldNotContain("first question");
        next.ShouldNotContain("answer one");
        CliResult export = await _cli.RunAsync("sessions", "export", id);
        export.Stdout.ShouldContain("first question", customMessage: export.ToString());
        export.Stdout.ShouldContain("answer one");
        export.Stdout.ShouldContain("answer four");
    }

    private static string[] Roles(RecordedRequest request)
    {
        JsonElement json = request.Json;
        JsonElement messages = json.TryGetProperty("contents", out JsonElement contents) ? contents : json.GetProperty("messages");
        return [.. messages.EnumerateArray()
            .Select(message => message.TryGetProperty("role", out JsonElement role) ? role.GetString() : null)
            .Where(role => role is not "system" and not "developer")
            .Select(role => role == "model" ? "assistant" : role!)];
    }

    [GeneratedRegex(@"^session ([0-9a-f]{8,32})$", RegexOptions.Multiline)]
    private static partial Regex SessionLine();
}
