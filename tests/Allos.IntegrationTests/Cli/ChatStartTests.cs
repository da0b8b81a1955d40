using System.Text.RegularExpressions;

namespace Allos.IntegrationTests.Cli;

/// <summary>How <c>allos chat</c> starts and ends without a turn (issue 12): no key fails before the prompt, as <c>run</c> does, and a chat left without a turn keeps no session.</summary>
public sealed partial class ChatStartTests : IAsyncLifetime
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
    public async Task Chat_WithoutAKey_FailsBeforeThePromptWithRunsMessageAndExitCode()
    {
        _cli.Environment.Remove("OPENAI_API_KEY");

        CliResult chat = await _cli.RunWithInputAsync("hello\n", "chat", "--model", Model);
        CliResult run = await _cli.RunAsync("run", "--model", Model, "hello");

        chat.ExitCode.ShouldBe(3, chat.ToString());
        chat.ExitCode.ShouldBe(run.ExitCode, run.ToString());
        chat.Stderr.ShouldContain("OPENAI_API_KEY");
        chat.Stderr.ShouldBe(run.Stderr, chat.ToString());
        chat.Stderr.ShouldNotContain("allos chat ·", customMessage: "no banner, no prompt: the chat never started");
        _server.Requests.ShouldBeEmpty();
        (await _cli.RunAsync("sessions", "list")).Stderr.ShouldContain("No sessions yet");
    }

    [Fact]
    public async Task Chat_LeftWithoutATurn_KeepsNoSession()
    {
        CliResult chat = await _cli.RunWithInputAsync("/help\n/exit\n", "chat", "--model", Model);
        chat.ExitCode.ShouldBe(0, chat.ToString());
        CliResult named = await _cli.RunWithInputAsync("", "chat", "--model", Model, "--session", "never-used");
        named.ExitCode.ShouldBe(0, named.ToString());

        CliResult list = await _cli.RunAsync("sessions", "list");

        list.Stdout.ShouldBeEmpty(list.ToString());
        list.Stderr.ShouldContain("No sessions yet");
    }

    [Fact]
    public async Task Chat_WithATurn_KeepsItsSessionAndAResumedEmptyOneStays()
    {
        _server.Enqueue(FakeTurn.Text("Hi."));
        CliResult chat = await _cli.RunWithInputAsync("hello\n", "chat", "--model", Model);
        string id = SessionLine().Match(chat.Stderr).Groups[1].Value;
        id.ShouldNotBeNullOrEmpty(chat.ToString());

        // Resumed and left at once: the session was there before this chat, so it stays.
        CliResult again = await _cli.RunWithInputAsync("/exit\n", "chat", "--model", Model, "--session", id);
        again.ExitCode.ShouldBe(0, again.ToString());

        CliResult show = await _cli.RunAsync("sessions", "show", id);
        show.ExitCode.ShouldBe(0, show.ToString());
    }

    [GeneratedRegex(@"^session ([0-9a-f]{8,32})$", RegexOptions.Multiline)]
    private static partial Regex SessionLine();
}
