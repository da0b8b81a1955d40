namespace Allos.IntegrationTests.Cli;

/// <summary>
/// Naming sessions as people do, as a real process against the fake provider server: by the start of an id, by
/// <c>-c</c> for the last one, and by the line <c>run</c> and <c>chat</c> print to come back to one.
/// </summary>
public sealed class SessionIdTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Theory]
    [InlineData("show")]
    [InlineData("export")]
    public async Task Subcommand_UniquePrefix_FindsTheSession(string subcommand)
    {
        string id = await RunAsync("Explain web scraping briefly", "Fetch, then parse.");

        CliResult result = await Cli.RunAsync("sessions", subcommand, id[..5]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(id);
        result.Stdout.ShouldContain("Fetch, then parse.");
    }

    [Theory]
    [InlineData("sessions", "show", "notes")]
    [InlineData("sessions", "delete", "notes", "-y")]
    [InlineData("run", "-m", Model, "-s", "notes", "Third")]
    [InlineData("chat", "-m", Model, "-s", "notes")]
    public async Task AmbiguousPrefix_IsAUsageErrorNamingTheCandidates(params string[] command)
    {
        await RunAsync("First", "One.", "-s", "notes-alpha");
        await RunAsync("Second", "Two.", "-s", "notes-beta");
        int requests = Server.Requests.Count;

        CliResult result = await Cli.RunWithInputAsync("Hi\n", command);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("'notes' starts more than one session id");
        result.Stderr.ShouldContain("notes-alpha");
        result.Stderr.ShouldContain("notes-beta");
        Server.Requests.Count.ShouldBe(requests, "nothing was sent to the model");
        (await Cli.RunAsync("sessions", "show", "notes-alpha")).ExitCode.ShouldBe(0, "nothing was deleted");
    }

    [Fact]
    public async Task Run_SessionPrefix_ContinuesThatSession()
    {
        string id = await RunAsync("My name is Ada.", "Hello Ada.");

        Server.Enqueue(FakeTurn.Text("You are Ada."));
        CliResult result = await Cli.RunAsync("run", "-m", Model, "--json", "-s", id[..6], "What is my name?");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("session").GetString().ShouldBe(id);
        Server.Requests[^1].Body.ShouldContain("My name is Ada.", customMessage: "the history was sent");
    }

    [Fact]
    public async Task Run_PrintsTheSessionIdOnStderrUnlessJsonOrQuiet()
    {
        Server.Enqueue(FakeTurn.Text("Hi there."));
        CliResult result = await Cli.RunAsync("run", "-m", Model, "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldNotContain("session ");
        string line = result.Stderr.Split('\n').Where(l => l.StartsWith("session ", StringComparison.Ordinal)).ShouldHaveSingleItem().TrimEnd();
        string shortId = line.Split(' ')[1];
        shortId.Length.ShouldBe(8);
        line.ShouldBe($"session {shortId}  (continue: allos run -s {shortId} \"…\")");
        CliResult show = await Cli.RunAsync("sessions", "show", shortId);
        show.ExitCode.ShouldBe(0, show.ToString());
        show.Stdout.ShouldContain("Hi there.");

        Server.Enqueue(FakeTurn.Text("Quiet."), FakeTurn.Text("Json."));
        (await Cli.RunAsync("run", "-m", Model, "-q", "Hello")).Stderr.ShouldNotContain("session ");
        CliResult json = await Cli.RunAsync("run", "-m", Model, "--json", "Hello");
        json.Stderr.ShouldNotContain("session ");
        json.Json().GetProperty("status").GetString().ShouldBe("completed");
    }

    [Theory]
    [InlineData("run", "-c")]
    [InlineData("run", "--continue")]
    [InlineData("-c")]
    public async Task Continue_ResumesTheMostRecentSession(params string[] command)
    {
        await RunAsync("An older session", "Old.");
        string latest = await RunAsync("My name is Ada.", "Hello Ada.");

        Server.Enqueue(FakeTurn.Text("You are Ada."));
        CliResult result = await Cli.RunAsync([.. command, "-m", Model, "--json", "What is my name?"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("session").GetString().ShouldBe(latest);
        Server.Requests[^1].Body.ShouldContain("My name is Ada.");
        Server.Requests[^1].Body.ShouldNotContain("An older session");
    }

    [Fact]
    public async Task Continue_NoSessionYet_SaysSoWithoutCallingTheModel()
    {
        CliResult result = await Cli.RunAsync("run", "-c", "-m", Model, "Hello");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("there is no session to continue yet");
        Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Continue_WithSession_IsAUsageError()
    {
        CliResult result = await Cli.RunAsync("run", "-c", "-s", "abc", "-m", Model, "Hello");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("-c/--continue and -s/--session");
    }

    [Fact]
    public async Task ChatContinue_ResumesTheMostRecentSession()
    {
        string latest = await RunAsync("My name is Ada.", "Hello Ada.");

        Server.Enqueue(FakeTurn.Text("You are Ada."));
        CliResult result = await Cli.RunWithInputAsync("What is my name?\n", "chat", "-c", "-m", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[^1].Body.ShouldContain("My name is Ada.");
        CliResult show = await Cli.RunAsync("sessions", "show", latest);
        show.Stdout.ShouldContain("You are Ada.");
    }

    [Fact]
    public async Task Resume_RestoresTheSessionsModelAndShowsARecap()
    {
        // Not the default model for an OpenAI key: only the session can bring it back.
        string id = await RunAsync("Explain web scraping briefly", "Fetch the page, then parse it.", "-m", "openai/gpt-4o");

        Server.Enqueue(FakeTurn.Text("Use a parser library."));
        CliResult result = await Cli.RunWithInputAsync("And then?\n", "sessions", "resume", id[..6]);

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[^1].Json.GetProperty("model").GetString().ShouldBe("gpt-4o");
        Server.Requests[^1].Body.ShouldContain("Explain web scraping briefly", customMessage: "the history was sent");
        result.Stderr.ShouldContain($"resuming session {id[..8]}");
        result.Stderr.ShouldContain("you:   Explain web scraping briefly");
        result.Stderr.ShouldContain("allos: Fetch the page, then parse it.");
        result.Stdout.ShouldContain("Use a parser library.");

        Server.Enqueue(FakeTurn.Text("Flags win."));
        CliResult flagged = await Cli.RunWithInputAsync("Once more?\n", "sessions", "resume", id, "-m", "openai/gpt-4o-mini");
        flagged.ExitCode.ShouldBe(0, flagged.ToString());
        Server.Requests[^1].Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
    }

    [Fact]
    public async Task Chat_Leaving_PrintsHowToResume()
    {
        Server.Enqueue(FakeTurn.Text("Hello."));

        CliResult result = await Cli.RunWithInputAsync("Hi\n", "chat", "-m", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        string line = result.Stderr.Split('\n').Where(l => l.Contains("resume it with", StringComparison.Ordinal)).ShouldHaveSingleItem();
        string shortId = line.Split(' ')[1];
        line.ShouldContain($"allos sessions resume {shortId}");
        (await Cli.RunAsync("sessions", "show", shortId)).Stdout.ShouldContain("Hello.");
    }

    /// <summary>Runs one task answered with <paramref name="answer"/>; returns the session id.</summary>
    private async Task<string> RunAsync(string task, string answer, params string[] flags)
    {
        Server.Enqueue(FakeTurn.Text(answer).WithUsage(20, 5));
        string[] model = flags.Contains("-m") ? [] : ["-m", Model];
        CliResult result = await Cli.RunAsync(["run", .. model, .. flags, "--json", task]);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.Json().GetProperty("session").GetString()!;
    }
}
