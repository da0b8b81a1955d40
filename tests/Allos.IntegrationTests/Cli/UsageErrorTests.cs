namespace Allos.IntegrationTests.Cli;

/// <summary>Bad flag values and misspelt commands are usage errors (exit 2) that never reach the model.</summary>
public sealed class UsageErrorTests : FakeServerCliTests
{
    [Theory]
    [InlineData("--max-iterations 0 hello", "--max-iterations takes a whole number of model calls, 1 or more, not '0'")]
    [InlineData("--max-iterations -5 hello", "not '-5'")]
    [InlineData("--max-iterations abc hello", "not 'abc'")]
    [InlineData("run --max-iterations 0 hello", "not '0'")]
    [InlineData("--autonomy yolo hello", "--autonomy takes manual, supervised or autonomous, not 'yolo'.")]
    [InlineData("--autonomy manul hello", "(did you mean 'manual'?)")]
    [InlineData("--tools bogus hello", "Unknown tool or group 'bogus'")]
    [InlineData("--tools gerp,files hello", "Unknown tool or group 'gerp' (did you mean 'grep'?)")]
    [InlineData("chat --tools gerp", "(did you mean 'grep'?)")]
    [InlineData("--cwd /nonexistent/folder hello", "--cwd names a folder that does not exist: '/nonexistent/folder'")]
    [InlineData("session list", "'session' is not a command; did you mean `allos sessions`?")]
    [InlineData("stat", "did you mean `allos stats`?")]
    [InlineData("modles", "did you mean `allos models`?")]
    public async Task BadValuesAndMisspeltCommands_AreUsageErrorsWithAHint(string command, string message)
    {
        CliResult result = await Cli.RunAsync(["-m", "openai/gpt-4o-mini", .. command.Split(' ')]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(message);
        result.Stderr.ShouldNotContain("allos.yaml");
        Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("help", "allos: run tasks and chat on any model")]
    [InlineData("help sessions", "List, show, resume, delete, export, search, pin and prune")]
    [InlineData("help sessions list", "Saved sessions, newest first")]
    public async Task Help_ShowsTheHelpOfTheCommandsItNames(string command, string text)
    {
        CliResult result = await Cli.RunAsync(command.Split(' '));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(text);
        Server.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("--", "stat")]
    [InlineData("stat", "the", "numbers", "of", "these", "files")]
    [InlineData("help", "me", "name", "a", "variable")]
    public async Task ATaskThatOnlyLooksLikeACommand_GoesToTheModel(params string[] words)
    {
        Server.Enqueue(FakeTurn.Text("Done."));

        CliResult result = await Cli.RunAsync(["-m", "openai/gpt-4o-mini", "--tools", "none", .. words]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("Done.");
        Server.Requests.Count.ShouldBe(1);
    }
}
