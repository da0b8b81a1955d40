using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Allos.Agents;
using Allos.Gateway;
using Allos.IntegrationTests.Gateway;
using Allos.IntegrationTests.Storage;
using Allos.Prompts;
using Allos.Storage.Sqlite;
using Allos.Telemetry;
using Allos.Tools;

namespace Allos.IntegrationTests.Agents;

/// <summary>
/// Agents and prompt templates over the fake provider server: <c>prompt:</c> in agents.yaml, <c>{{variables}}</c> in
/// instructions, run variables in the tools' <see cref="ToolContext"/>, and the prompt recorded with each call.
/// </summary>
public sealed class AgentPromptTests : IAsyncLifetime, IDisposable
{
    private const string CodeReview = """
        ---
        name: code_review
        version: 2
        labels: [production]
        model: openai/gpt-4o-mini
        options: { temperature: 0.2, max_tokens: 300 }
        inputs:
          language: { type: string, required: true }
          strict: { type: boolean, default: false }
          diff: { type: string }
        examples:
          - user: "An example question"
            assistant: "An example answer"
        ---
        system:
        You review {{language}} code.{{#if strict}} Be strict.{{/if}}

        user:
        The diff to look at: {{diff}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("allos-agent-prompts-").FullName;
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task LoadFile_AgentWithPrompt_SendsItsSystemSectionAsInstructionsWithItsModelAndOptions()
    {
        AgentTeam team = LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review@production
            """, ("code_review.prompt.md", CodeReview));
        _server.Enqueue(FakeTurn.Text("Looks fine.").WithUsage(10, 2));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        // "repo" is for other agents and tools: a prompt that does not declare it is not refused it.
        RunResult result = await runner.RunAsync("Review my change.", options: Run(("language", "go"), ("strict", "true"), ("repo", "allos")));

        result.Status.ShouldBe(RunStatus.Completed);
        JsonElement request = _server.Requests.ShouldHaveSingleItem().Json;
        request.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
        request.GetProperty("temperature").GetDouble().ShouldBe(0.2, 1e-6);
        request.GetProperty("max_completion_tokens").GetInt32().ShouldBe(300);
        JsonElement[] messages = [.. request.GetProperty("messages").EnumerateArray()];
        messages.Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString()))
            .ShouldBe([("system", "You review go code. Be strict."), ("user", "Review my change.")]);
        team.Agents[0].Prompt!.Reference.ShouldBe("code_review@2");
    }

    [Fact]
    public async Task LoadFile_AgentWithPromptAndItsOwnSettings_KeepsItsOwnOverTheFrontMatter()
    {
        AgentTeam team = LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review
                model: anthropic/claude-sonnet-4-5
                temperature: 0.9
            """, ("code_review.prompt.md", CodeReview));
        _server.Enqueue(FakeTurn.Text("ok").WithUsage(10, 2));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        await runner.RunAsync("Review.", options: Run(("language", "go")));

        JsonElement request = _server.Requests.ShouldHaveSingleItem().Json;
        request.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5");
        request.GetProperty("temperature").GetDouble().ShouldBe(0.9, 1e-6);
        request.GetProperty("max_tokens").GetInt32().ShouldBe(300); // not set by the agent: the prompt's
        request.GetProperty("system").ToString().ShouldContain("You review go code.");
    }

    [Fact]
    public void LoadFile_PromptAndInstructionsTogether_IsAnErrorWithTheFileAndLine()
    {
        var error = Should.Throw<ConfigurationException>(() => LoadTeam("""
            agents:
              - name: reviewer
                instructions: Review things.
                prompt: code_review
            """, ("code_review.prompt.md", CodeReview)));

        error.Message.ShouldStartWith($"{AgentsFile}:4: ");
        error.Message.ShouldContain("agent 'reviewer' has both prompt: and instructions:");
    }

    [Fact]
    public void LoadFile_UnknownPrompt_IsAnErrorWithTheFileLineAndWhatThereIs()
    {
        var error = Should.Throw<ConfigurationException>(() => LoadTeam("""
            agents:
              - name: helper
                instructions: Help.
              - name: reviewer
                prompt: code_reveiw@production
            """, ("code_review.prompt.md", CodeReview)));

        error.Message.ShouldStartWith($"{AgentsFile}:5: ");
        error.Message.ShouldContain("agent 'reviewer' uses prompt 'code_reveiw@production'");
        error.Message.ShouldContain("Did you mean 'code_review'?");
    }

    [Fact]
    public void LoadFile_UnknownLabel_IsAnErrorWithTheFileAndLine()
    {
        var error = Should.Throw<ConfigurationException>(() => LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review@staging
            """, ("code_review.prompt.md", CodeReview)));

        error.Message.ShouldStartWith($"{AgentsFile}:3: ");
        error.Message.ShouldContain("no version of prompt 'code_review' has the label 'staging'");
    }

    [Fact]
    public void LoadFile_NoAgentUsesPrompts_NeverLoadsThePromptLibrary()
    {
        string path = WriteAgents("""
            agents:
              - name: helper
                instructions: Help with {{repo}}.
            """);

        AgentTeam team = AgentTeam.LoadFile(path, () => throw new PromptException("a broken prompt file", "prompts/broken.prompt.md", 1));

        team.Agents.ShouldHaveSingleItem().Instructions.ShouldBe("Help with {{repo}}.");
    }

    [Fact]
    public void LoadFile_BrokenPromptFiles_AreAnErrorNamingTheAgentLineAndThePromptFile()
    {
        string path = WriteAgents("""
            agents:
              - name: reviewer
                prompt: code_review
            """);

        var error = Should.Throw<ConfigurationException>(() => AgentTeam.LoadFile(path, () => throw new PromptException("an unknown key 'modle'.", "prompts/code_review.prompt.md", 6)));

        error.Message.ShouldStartWith($"{path}:3: ");
        error.Message.ShouldContain("prompts/code_review.prompt.md:6: an unknown key 'modle'.");
    }

    [Fact]
    public void LoadFile_InstructionsTemplateThatDoesNotCompile_IsAnErrorWithTheFileAndLine()
    {
        var error = Should.Throw<ConfigurationException>(() => LoadTeam("""
            agents:
              - name: helper
                instructions: |
                  You help with {{repo}}.
                  {{#if strict}}Be strict.
            """));

        error.Message.ShouldStartWith($"{AgentsFile}:5: ");
        error.Message.ShouldContain("'{{#if}}' is never closed");
    }

    [Fact]
    public async Task RunAsync_InstructionsWithVariables_AreFilledFromTheRunVariablesAsData()
    {
        var agent = new AgentDefinition { Name = "helper", Instructions = "You work on {{repo}} for {{team}}. Keep {braces} as text.", Model = "openai/gpt-4o-mini" };
        _server.Enqueue(FakeTurn.Text("ok").WithUsage(10, 2));
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        await runner.RunAsync("Hi", options: Run(("repo", "allos"), ("team", "{{repo}} people")));

        // A value holding {{…}} is sent as written, never expanded.
        SystemText(_server.Requests.ShouldHaveSingleItem().Json).ShouldBe("You work on allos for {{repo}} people. Keep {braces} as text.");
    }

    [Fact]
    public async Task RunAsync_InstructionsWithoutTemplateTags_AreSentAsWritten()
    {
        var agent = new AgentDefinition { Name = "helper", Instructions = "Reply with {\"ok\": true} and {name} as written.", Model = "openai/gpt-4o-mini" };
        _server.Enqueue(FakeTurn.Text("ok").WithUsage(10, 2));
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        await runner.RunAsync("Hi");

        SystemText(_server.Requests.ShouldHaveSingleItem().Json).ShouldBe("Reply with {\"ok\": true} and {name} as written.");
    }

    [Fact]
    public async Task RunAsync_InstructionsVariableMissing_FailsNamingTheVariableAndAgentBeforeAnyModelCall()
    {
        var team = new AgentTeam(
        [
            new AgentDefinition { Name = "triage", Instructions = "Route.", Model = "openai/gpt-4o-mini", Handoffs = ["reviewer"] },
            new AgentDefinition { Name = "reviewer", Instructions = "Review {{repo}}.", Model = "openai/gpt-4o-mini" },
        ]);
        _server.Enqueue(FakeTurn.Text("ok"));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        var error = await Should.ThrowAsync<ConfigurationException>(() => runner.RunAsync("Hi", options: Run(("team", "core"))));

        error.Message.ShouldContain("Agent 'reviewer' uses {{repo}} in its instructions");
        error.Message.ShouldContain("--var repo=");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_PromptInputMissing_FailsNamingTheInputAndAgentBeforeAnyModelCall()
    {
        AgentTeam team = LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review@2
            """, ("code_review.prompt.md", CodeReview));
        _server.Enqueue(FakeTurn.Text("ok"));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        var error = await Should.ThrowAsync<ConfigurationException>(() => runner.RunAsync("Review."));

        error.Message.ShouldContain("Agent 'reviewer' takes its instructions from prompt code_review@2");
        error.Message.ShouldContain("input 'language'");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void AgentRunner_PromptAndInstructionsTogether_IsAnErrorNamingTheAgent()
    {
        PromptTemplate prompt = Library(("code_review.prompt.md", CodeReview)).Get("code_review");

        var error = Should.Throw<ConfigurationException>(() => new AgentRunner(new AgentDefinition { Name = "reviewer", Prompt = prompt, Instructions = "Review." }));

        error.Message.ShouldContain("Agent 'reviewer' has both a prompt (code_review@2) and instructions");
    }

    [Fact]
    public async Task RunAsync_RunVariablesSessionAndUser_ReachBothKindsOfTool()
    {
        var seen = new ConcurrentDictionary<string, ToolContext>();
        var registry = new ToolRegistry();
        registry.Add(Tool.Create("whoami", "Says who is asking.", """{"type":"object","properties":{}}""", (_, context, _) =>
        {
            seen[context.ToolName] = context;
            return ValueTask.FromResult<object?>("noted");
        }));
        registry.Add(AIFunctionFactory.Create((AIFunctionArguments arguments) =>
        {
            var context = (ToolContext)arguments.Context![typeof(ToolContext)]!;
            seen["lookup"] = context;
            return "found";
        }, "lookup", "Looks something up."));
        var agent = new AgentDefinition { Name = "helper", Instructions = "Help.", Model = "openai/gpt-4o-mini", Tools = ["whoami", "lookup"] };
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "whoami", "{}"), new FakeToolCall("c2", "lookup", "{}")).WithUsage(10, 5),
            FakeTurn.Text("Done.").WithUsage(20, 2));
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Tools = registry });
        RunOptions options = Run(("repo", "allos"), ("depth", 3));
        options.SessionId = "sess_1234";
        options.User = "alice";

        RunResult result = await runner.RunAsync("Who am I?", options: options);

        result.Status.ShouldBe(RunStatus.Completed);
        seen.Keys.Order().ShouldBe(["lookup", "whoami"]);
        foreach (ToolContext context in seen.Values)
        {
            context.Variables["repo"].ShouldBe("allos");
            context.Variables["depth"].ShouldBe(3);
            context.SessionId.ShouldBe("sess_1234");
            context.User.ShouldBe("alice");
            context.AgentName.ShouldBe("helper");
        }
    }

    [Fact]
    public async Task ResumeAsync_InAnotherRunner_KeepsTheRunVariablesSessionUserAndRenderedInstructions()
    {
        ToolContext? seen = null;
        var registry = new ToolRegistry();
        registry.Add(Tool.Create("deploy", "Deploys.", """{"type":"object","properties":{}}""", (_, context, _) =>
        {
            seen = context;
            return ValueTask.FromResult<object?>("deployed");
        }, ToolRisk.Executes));
        AgentRunner Runner() => new(
            new AgentDefinition { Name = "ops", Instructions = "Deploy {{repo}}.", Model = "openai/gpt-4o-mini", Tools = ["deploy"] },
            new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Tools = registry });
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "deploy", "{}")).WithUsage(10, 5),
            FakeTurn.Text("Deployed.").WithUsage(20, 2));
        RunOptions options = Run(("repo", "allos"), ("force", true));
        options.SessionId = "sess_9";
        options.User = "bob";
        RunResult paused = await Runner().RunAsync("Deploy it.", options: options);
        paused.Status.ShouldBe(RunStatus.AwaitingApproval);

        RunState state = RunState.FromJson(paused.State!.ToJson());
        RunResult result = await Runner().ResumeAsync(state, [ApprovalDecision.Approve(paused.PendingApprovals[0].ApprovalId)]);

        result.Status.ShouldBe(RunStatus.Completed);
        seen.ShouldNotBeNull();
        seen.Variables["repo"].ShouldBe("allos");
        seen.Variables["force"].ShouldBe(true);
        seen.SessionId.ShouldBe("sess_9");
        seen.User.ShouldBe("bob");
        SystemText(_server.Requests[1].Json).ShouldBe("Deploy allos.");
    }

    [Fact]
    public async Task RunAsync_AgentWithPromptThroughTheRouter_RecordsThePromptOnTheStoredCallAndTheSpan()
    {
        using var database = new TempDatabase();
        await using SqliteStore store = await database.OpenAsync();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AllosTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        string alias = $"review-{Guid.NewGuid():N}";
        AgentTeam team = LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review
            """, ("code_review.prompt.md", CodeReview.Replace("model: openai/gpt-4o-mini", $"model: {alias}", StringComparison.Ordinal)));
        RouterOptions routerOptions = RouterFixture.Options(new ModelGroup(alias, new Deployment("openai/gpt-4o-mini")
        {
            Name = "review-east",
            ApiKey = "sk-test",
            Endpoint = _server.EndpointFor("openai"),
        }));
        routerOptions.Telemetry = store.Telemetry;
        using var router = new Router(routerOptions);
        _server.Enqueue(FakeTurn.Text("Fine.").WithUsage(10, 2));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClient = router });
        RunOptions options = Run(("language", "go"));
        options.SessionId = "sess_p";
        options.User = "carol";

        (await runner.RunAsync("Review.", options: options)).Status.ShouldBe(RunStatus.Completed);
        await store.Telemetry.FlushAsync();

        // The prompt's model is an alias of the Router: the call was routed on it.
        database.Scalar("SELECT alias || '|' || prompt_name || '|' || prompt_version || '|' || session_id || '|' || user_key FROM model_calls")
            .ShouldBe($"{alias}|code_review|2|sess_p|carol");
        Activity span = spans.Where(s => (string?)s.GetTagItem("allos.gateway.alias") == alias).ShouldHaveSingleItem();
        span.GetTagItem("allos.prompt.name").ShouldBe("code_review");
        span.GetTagItem("allos.prompt.version").ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_AgentWithPromptThroughUseCallRecording_RecordsThePromptInTheStore()
    {
        using var database = new TempDatabase();
        await using SqliteStore store = await database.OpenAsync();
        AgentTeam team = LoadTeam("""
            agents:
              - name: reviewer
                prompt: code_review
            """, ("code_review.prompt.md", CodeReview));
        _server.Enqueue(FakeTurn.Text("Fine.").WithUsage(10, 2));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions
        {
            ChatClientFactory = id => _server.CreateClient(id).AsBuilder().UseCallRecording(options => options.Store = store.Telemetry).Build(),
        });

        (await runner.RunAsync("Review.", options: Run(("language", "go")))).Status.ShouldBe(RunStatus.Completed);
        await store.Telemetry.FlushAsync();

        database.Scalar("SELECT model || '|' || prompt_name || '|' || prompt_version FROM model_calls").ShouldBe("openai/gpt-4o-mini|code_review|2");
    }

    private string AgentsFile => Path.Combine(_folder, "agents.yaml");

    private static RunOptions Run(params (string Name, object? Value)[] variables)
    {
        var options = new RunOptions();
        foreach ((string name, object? value) in variables)
        {
            options.Variables[name] = value;
        }

        return options;
    }

    private static string? SystemText(JsonElement request) =>
        request.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("role").GetString() == "system").Select(m => m.GetProperty("content").GetString()).SingleOrDefault();

    private string WriteAgents(string yaml)
    {
        File.WriteAllText(AgentsFile, yaml);
        return AgentsFile;
    }

    private PromptLibrary Library(params (string File, string Text)[] prompts)
    {
        string folder = Path.Combine(_folder, "prompts");
        Directory.CreateDirectory(folder);
        foreach ((string file, string text) in prompts)
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }

        return PromptLibrary.Load([folder]);
    }

    private AgentTeam LoadTeam(string yaml, params (string File, string Text)[] prompts) =>
        AgentTeam.LoadFile(WriteAgents(yaml), () => Library(prompts));
}
