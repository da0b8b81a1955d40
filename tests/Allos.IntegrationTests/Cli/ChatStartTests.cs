using System.Text.RegularExpressions;

namespace Allos.IntegrationTests.Cli;

/// <summary>How <c>allos chat</c> starts and ends without a turn (issue 12): no key fails before the prompt, as <c>run</c> does, and a chat left without a turn keeps no session.</summary>
public sealed partial class ChatStartTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Chat_WithoutAKey_FailsBeforeThePromptWithRunsMessageAndExitCode()
    {
        Cli.Environment.Remove("OPENAI_API_KEY");

        CliResult chat = await Cli.RunWithInputAsync("hello\n", "chat", "--model", Model);
        CliResult run = await Cli.RunAsync("run", "--model", Model, "hello");

        chat.ExitCode.ShouldBe(3, chat.ToString());
        chat.ExitCode.ShouldBe(run.ExitCode, run.ToString());
        chat.Stderr.ShouldContain("OPENAI_API_KEY");
        chat.Stderr.ShouldBe(run.Stderr, chat.ToString());
        chat.Stderr.ShouldNotContain("allos chat ·", customMessage: "no banner, no prompt: the chat never started");
        Server.Requests.ShouldBeEmpty();
        (await Cli.RunAsync("sessions", "list")).Stderr.ShouldContain("No sessions yet");
    }

    [Fact]
    public async Task Chat_LeftWithoutATurn_KeepsNoSession()
    {
        CliResult chat = await Cli.RunWithInputAsync("/help\n/exit\n", "chat", "--model", Model);
        chat.ExitCode.ShouldBe(0, chat.ToString());
        CliResult named = await Cli.RunWithInputAsync("", "chat", "--model", Model, "--session", "never-used");
        named.ExitCode.ShouldBe(0, named.ToString());

        CliResult list = await Cli.RunAsync("sessions", "list");

        list.Stdout.ShouldBeEmpty(list.ToString());
        list.Stderr.ShouldContain("No sessions yet");
    }

    [Fact]
    public async Task Chat_WithATurn_KeepsItsSessionAndAResumedEmptyOneStays()
    {
        Server.Enqueue(FakeTurn.Text("Hi."));
        CliResult chat = await Cli.RunWithInputAsync("hello\n", "chat", "--model", Model);
        string id = SessionLine().Match(chat.Stderr).Groups[1].Value;
        id.ShouldNotBeNullOrEmpty(chat.ToString());

        // Resumed and left at once: the session was there before this chat, so it stays.
        CliResult again = await Cli.RunWithInputAsync("/exit\n", "chat", "--model", Model, "--session", id);
        again.ExitCode.ShouldBe(0, again.ToString());

        CliResult show = await Cli.RunAsync("sessions", "show", id);
        show.ExitCode.ShouldBe(0, show.ToString());
    }

    [GeneratedRegex(@"^session ([0-9a-f]{8,32})$", RegexOptions.Multiline)]
    private static partial Regex SessionLine();
}
