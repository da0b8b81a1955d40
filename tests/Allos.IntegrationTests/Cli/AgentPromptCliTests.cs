namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos run --agent</c> over an agents.yaml whose agents take their instructions from prompt files.</summary>
public sealed class AgentPromptCliTests : FakeServerCliTests
{
    private const string Review = """
        ---
        version: 4
        labels: [production]
        model: openai/gpt-4.1
        options: { temperature: 0.3 }
        ---
        system:
        You review changes carefully.
        """;

    [Fact]
    public async Task Run_AgentWithPromptFromAConfiguredFolder_SendsItsSystemSectionAndModel()
    {
        Write("team-prompts/review.prompt.md", Review);
        Write("allos.yaml", "prompts: [team-prompts]\n");
        Write("agents.yaml", """
            agents:
              - name: reviewer
                prompt: review@production
            """);
        Server.Enqueue(FakeTurn.Text("Looks good."));
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("run", "--agent", "reviewer", "Review my change");

        result.ExitCode.ShouldBe(0, result.ToString());
        string body = Server.Requests.ShouldHaveSingleItem().Body;
        body.ShouldContain("You review changes carefully.");
        body.ShouldContain("\"model\":\"gpt-4.1\"");
        body.ShouldContain("\"temperature\":0.3");
    }

    [Fact]
    public async Task ConfigShow_AgentModelFromItsPrompt_SaysThePromptNotTheAgentsFile()
    {
        Write("prompts/review.prompt.md", Review);
        Write("agents.yaml", """
            agents:
              - name: reviewer
                prompt: review
            """);
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("config", "show", "--agent", "reviewer");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("openai/gpt-4.1 (from prompt review@4)");
    }

    [Fact]
    public async Task Run_SystemFlagOverAnAgentWithPrompt_ReplacesItsInstructionsAndKeepsItsModel()
    {
        Write("prompts/review.prompt.md", Review);
        Write("agents.yaml", """
            agents:
              - name: reviewer
                prompt: review
            """);
        Server.Enqueue(FakeTurn.Text("ok"));
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("run", "--agent", "reviewer", "--system", "Only say ok.", "Review my change");

        result.ExitCode.ShouldBe(0, result.ToString());
        string body = Server.Requests.ShouldHaveSingleItem().Body;
        body.ShouldContain("Only say ok.");
        body.ShouldNotContain("You review changes carefully.");
        body.ShouldContain("\"model\":\"gpt-4.1\"");
    }

    [Fact]
    public async Task Run_BrokenPromptFile_DoesNotStopAnAgentThatUsesNoPrompt()
    {
        Write("prompts/broken.prompt.md", "---\nmodle: smart\n---\nsystem:\n{{#if x}}never closed\n");
        Write("agents.yaml", """
            agents:
              - name: helper
                instructions: You help.
            """);
        Server.Enqueue(FakeTurn.Text("Hi."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "helper", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.ShouldHaveSingleItem().Body.ShouldContain("You help.");
    }

    [Fact]
    public async Task Run_UnknownPrompt_ExitsWithAConfigurationErrorNamingTheFileAndLine()
    {
        Write("prompts/review.prompt.md", Review);
        Write("agents.yaml", """
            agents:
              - name: reviewer
                prompt: reveiw
            """);

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "reviewer", "Hello");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("agents.yaml:3: agent 'reviewer' uses prompt 'reveiw'");
        result.Stderr.ShouldContain("Did you mean 'review'?");
        result.Stderr.ShouldNotContain("   at ");
        Server.Requests.ShouldBeEmpty();
    }

    private void Write(string relativePath, string text)
    {
        string path = Path.Combine(Cli.Workspace, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
