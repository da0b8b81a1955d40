namespace Allos.IntegrationTests.Cli;

/// <summary>A misspelt key or a YAML syntax error in allos.yaml or agents.yaml, as the real <c>allos</c> reports it.</summary>
public sealed class ConfigurationErrorTests : IAsyncLifetime
{
    private const string AgentsYaml = """
        entry: triage
        agents:
          - name: triage
            instructions: Route the user.
            handoffs: [billing]
          - name: billing
            instructions: You answer billing questions.
        """;

    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _server.Enqueue(FakeTurn.Text("ran anyway"));
        _cli.UseFakeServer(_server, "openai");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task Run_MisspeltTopLevelKeyInAllosYaml_ExitsWithConfigurationErrorNamingKeyFileAndLine()
    {
        // `autonmy: manual` used to be ignored, so the run went ahead with supervised approvals.
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nautonmy: manual\n");

        CliResult result = await _cli.RunAsync("run", "Hello");

        ShouldBeConfigurationError(result, "allos.yaml:2", "unknown key 'autonmy'", "did you mean 'autonomy'?");
    }

    [Fact]
    public async Task Run_MisspeltKeyUnderRouter_ExitsWithConfigurationErrorAndSuggestion()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nrouter:\n  retries: 0\n  cooldown: { failures: 3, windw: 60s }\n");

        CliResult result = await _cli.RunAsync("run", "Hello");

        ShouldBeConfigurationError(result, "allos.yaml:4", "unknown key 'windw' in cooldown", "did you mean 'window'?");
    }

    [Fact]
    public async Task Run_MisspeltKeyInUserConfig_ExitsWithConfigurationErrorNamingTheUserFile()
    {
        File.WriteAllText(Path.Combine(_cli.Home, "allos.yaml"), "tools: [files]\nmax_iteration: 5\n");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "Hello");

        ShouldBeConfigurationError(result, Path.Combine(_cli.Home, "allos.yaml") + ":2", "unknown key 'max_iteration'", "did you mean 'max_iterations'?");
    }

    [Fact]
    public async Task Run_MisspeltKeyInAgentsYaml_ExitsWithConfigurationErrorNamingKeyFileAndLine()
    {
        WriteWorkspaceFile("agents.yaml", AgentsYaml.Replace("handoffs:", "handofs:", StringComparison.Ordinal));

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "triage", "Is my invoice paid?");

        ShouldBeConfigurationError(result, "agents.yaml:5", "unknown key 'handofs'", "did you mean 'handoffs'?");
    }

    [Fact]
    public async Task Run_YamlSyntaxErrorInAllosYaml_ExitsWithConfigurationErrorAndTheLine()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nmodels:\n  fast: [openai/gpt-4o-mini\n");

        CliResult result = await _cli.RunAsync("run", "Hello");

        ShouldBeConfigurationError(result, "allos.yaml:");
    }

    [Fact]
    public async Task Run_DuplicateKeyInAllosYaml_ExitsWithConfigurationErrorAndTheLine()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nautonomy: manual\nautonomy: autonomous\n");

        CliResult result = await _cli.RunAsync("run", "Hello");

        ShouldBeConfigurationError(result, "allos.yaml:3", "'autonomy' appears twice");
    }

    [Fact]
    public async Task Run_YamlSyntaxErrorInAgentsYaml_ExitsWithConfigurationErrorAndTheLine()
    {
        WriteWorkspaceFile("agents.yaml", "entry: triage\nagents:\n  - name: triage\n    handoffs: [billing\n");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "triage", "Hello");

        ShouldBeConfigurationError(result, "agents.yaml:");
    }

    [Fact]
    public async Task Run_WrongTypeInAllosYaml_NamesTheKeyAndLine()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nmax_iterations: lots\n");

        CliResult result = await _cli.RunAsync("run", "Hello");

        ShouldBeConfigurationError(result, "allos.yaml:2", "max_iterations must be a whole number, not 'lots'");
    }

    [Fact]
    public async Task ConfigShow_MisspeltKey_ExitsWithConfigurationError()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nautonmy: manual\n");

        CliResult result = await _cli.RunAsync("config", "show");

        ShouldBeConfigurationError(result, "allos.yaml:2", "did you mean 'autonomy'?");
    }

    [Fact]
    public async Task Run_AutonomyFromAllosYaml_IsApplied()
    {
        WriteWorkspaceFile("allos.yaml", "default_model: openai/gpt-4o-mini\nautonomy: manual\ntools: [files]\n");

        CliResult result = await _cli.RunAsync("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("run").GetProperty("autonomy").GetString().ShouldBe($"manual (from {Path.Combine(_cli.Workspace, "allos.yaml")})");
        result.Json().GetProperty("run").GetProperty("tools").GetString().ShouldStartWith("files (from ");
    }

    private void WriteWorkspaceFile(string name, string text) => File.WriteAllText(Path.Combine(_cli.Workspace, name), text);

    private void ShouldBeConfigurationError(CliResult result, params string[] expected)
    {
        result.ExitCode.ShouldBe(3, result.ToString());
        foreach (string text in expected)
        {
            result.Stderr.ShouldContain(text, Case.Sensitive, result.ToString());
        }

        result.Stderr.ShouldNotContain("   at ", Case.Sensitive, "a configuration error is one line and a hint, never a stack trace");
        _server.Requests.ShouldBeEmpty("nothing is sent when the configuration is wrong");
    }
}
