using System.Text.Json;
using Allos.Agents;
using Allos.Hosting;
using Allos.Storage;
using Allos.Tools;

namespace Allos.IntegrationTests.Agents;

/// <summary>The agent loop against the fake provider server, over every wire format.</summary>
public sealed class AgentRunnerTests : IAsyncLifetime, IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("allos-agent-").FullName;
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private static readonly string NoteSchema = """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}""";

    private List<string> Notes { get; } = [];

    private ToolRegistry Registry()
    {
        var registry = new ToolRegistry();
        registry.Add(AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers."));
        registry.Add(Tool.Create("save_note", "Saves a note.", NoteSchema, (args, _, _) =>
        {
            lock (Notes)
            {
                Notes.Add(args.GetProperty("text").GetString()!);
            }

            return ValueTask.FromResult<object?>("saved");
        }, ToolRisk.Writes));
        registry.Add(Tool.Create("slow", "Waits.", """{"type":"object","properties":{}}""", async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }));
        return registry;
    }

    private AgentRunnerOptions Options(ApprovalHandler? approvals = null) => new()
    {
        ChatClientFactory = id => _server.CreateClient(id),
        Tools = Registry(),
        Workspace = new Workspace(_workspace),
        ApprovalHandler = approvals,
    };

    private static AgentDefinition Agent(string model, params string[] tools) => new()
    {
        Name = "assistant",
        Instructions = "Help the user.",
        Model = model,
        Tools = tools,
    };

    private static FakeTurn Call(string id, string name, string args) => FakeTurn.ToolCalls(new FakeToolCall(id, name, args)).WithUsage(10, 5);

    [Theory]
    [InlineData("openai/gpt-4o-mini")]
    [InlineData("anthropic/claude-sonnet-4-5")]
    [InlineData("gemini/gemini-2.5-flash")]
    [InlineData("ollama/llama3.1")]
    public async Task RunAsync_MultiStepToolLoop_PairsResultsAndCompletes(string model)
    {
        _server.Enqueue(
            Call("c1", "add", """{"a":2,"b":3}"""),
            Call("c2", "add", """{"a":5,"b":10}"""),
            FakeTurn.Text("The total is 15.").WithUsage(30, 6));
        var runner = new AgentRunner(Agent(model, "add"), Options());

        RunResult result = await runner.RunAsync("Add 2 and 3, then add 10.");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Text.ShouldBe("The total is 15.");
        result.Usage.InputTokenCount.ShouldBe(50);
        result.Usage.OutputTokenCount.ShouldBe(16);
        result.Cost.ShouldNotBeNull().ShouldBe(Allos.Models.CostCalculator.Cost(model, new UsageDetails { InputTokenCount = 50, OutputTokenCount = 16 })!.Value);
        result.Messages.Count.ShouldBe(6); // user, call, result, call, result, answer
        result.Messages[2].Contents.OfType<FunctionResultContent>().ShouldHaveSingleItem().Result.ShouldBe("5");
        result.Messages[4].Contents.OfType<FunctionResultContent>().ShouldHaveSingleItem().Result.ShouldBe("15");
        result.Steps.Count(s => s.Kind == RunStepKind.ModelCall).ShouldBe(3);
        result.Steps.Where(s => s.Kind == RunStepKind.ToolCall).Select(s => s.Status).ShouldBe(["ok", "ok"]);
        result.Steps.Last().Kind.ShouldBe(RunStepKind.Respond);
        result.Steps.First().Model.ShouldBe(model);
        result.Steps.First().InputTokens.ShouldBe(10);
        using (JsonDocument trace = JsonDocument.Parse(result.TraceToJson()))
        {
            trace.RootElement.GetArrayLength().ShouldBe(result.Steps.Count);
            trace.RootElement[1].GetProperty("kind").GetString().ShouldBe("ToolCall");
            trace.RootElement[1].GetProperty("tool_name").GetString().ShouldBe("add");
            trace.RootElement[1].GetProperty("output").GetString().ShouldBe("5");
        }

        _server.Requests.Count.ShouldBe(3);
        _server.Requests[2].Body.ShouldContain("15"); // the second result reached the model
    }

    [Fact]
    public async Task RunAsync_ParallelCallsInOneTurn_RunConcurrently()
    {
        var bothStarted = new TaskCompletionSource();
        int started = 0;
        var registry = new ToolRegistry();
        registry.Add(Tool.Create("wait_for_peer", "Waits until another call of it runs.", """{"type":"object","properties":{"n":{"type":"integer"}}}""", async (_, _, ct) =>
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(5), ct); // sequential execution would time out here
            return "met";
        }));
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("p1", "wait_for_peer", """{"n":1}"""), new FakeToolCall("p2", "wait_for_peer", """{"n":2}""")),
            FakeTurn.Text("Both met."));
        AgentRunnerOptions options = Options();
        options.Tools = registry;
        var runner = new AgentRunner(Agent("anthropic/claude-sonnet-4-5", "wait_for_peer"), options);

        RunResult result = await runner.RunAsync("Run both.");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Steps.Where(s => s.Kind == RunStepKind.ToolCall).Select(s => s.Output).ShouldBe(["met", "met"]);
        JsonElement toolResults = _server.Requests[1].Json.GetProperty("messages")[2].GetProperty("content");
        toolResults.GetArrayLength().ShouldBe(2);
        toolResults[0].GetProperty("tool_use_id").GetString().ShouldBe("p1");
        toolResults[1].GetProperty("tool_use_id").GetString().ShouldBe("p2");
    }

    [Fact]
    public async Task RunAsync_InvalidArgumentsThenCorrection_ErrorGoesBackToTheModel()
    {
        _server.Enqueue(
            Call("c1", "add", """{"a":"two"}"""),
            Call("c2", "add", """{"a":2,"b":2}"""),
            FakeTurn.Text("4"));
        var runner = new AgentRunner(Agent("gemini/gemini-2.5-flash", "add"), Options());

        RunResult result = await runner.RunAsync("2+2?");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Steps.Where(s => s.Kind == RunStepKind.ToolCall).Select(s => s.Status).ShouldBe(["error", "ok"]);
        string error = result.Messages[2].Contents.OfType<FunctionResultContent>().Single().Result!.ToString()!;
        error.ShouldContain("invalid arguments");
        _server.Requests[1].Body.ShouldContain("invalid arguments"); // the model saw it and corrected the call
    }

    [Fact]
    public async Task RunAsync_UnknownTool_ListsTheAvailableOnesToTheModel()
    {
        _server.Enqueue(Call("c1", "delete_everything", "{}"), FakeTurn.Text("Sorry, I cannot."));
        var runner = new AgentRunner(Agent("ollama/llama3.1", "add", "save_note"), Options());

        RunResult result = await runner.RunAsync("Clean up.");

        result.Status.ShouldBe(RunStatus.Completed);
        string error = result.Messages[2].Contents.OfType<FunctionResultContent>().Single().Result!.ToString()!;
        error.ShouldContain("unknown tool 'delete_everything'");
        error.ShouldContain("add");
        error.ShouldContain("save_note");
    }

    [Fact]
    public async Task RunAsync_WriteToolWithApprovalCallback_AsksOnceAndRuns()
    {
        var asked = new List<ApprovalRequest>();
        _server.Enqueue(Call("n1", "save_note", """{"text":"buy milk"}"""), FakeTurn.Text("Saved."));
        var runner = new AgentRunner(Agent("openai/gpt-4o-mini", "save_note", "add"), Options((request, _) =>
        {
            asked.Add(request);
            return ValueTask.FromResult(ApprovalDecision.Approve(request.ApprovalId));
        }));

        RunResult result = await runner.RunAsync("Note: buy milk");

        result.Status.ShouldBe(RunStatus.Completed);
        ApprovalRequest request = asked.ShouldHaveSingleItem();
        request.ToolName.ShouldBe("save_note");
        request.Risk.ShouldBe(ToolRisk.Writes);
        JsonDocument.Parse(request.ArgumentsJson).RootElement.GetProperty("text").GetString().ShouldBe("buy milk");
        Notes.ShouldBe(["buy milk"]);
        result.Steps.ShouldContain(s => s.Kind == RunStepKind.Approval && s.Status == "approved");
    }

    [Fact]
    public async Task RunAsync_ApprovalDenied_ModelIsToldDeniedByTheUser()
    {
        _server.Enqueue(Call("n1", "save_note", """{"text":"x"}"""), FakeTurn.Text("Understood, not saved."));
        var runner = new AgentRunner(Agent("openai/gpt-4o-mini", "save_note"), Options((request, _) =>
            ValueTask.FromResult(ApprovalDecision.Deny(request.ApprovalId, reason: "not now"))));

        RunResult result = await runner.RunAsync("Save x");

        result.Status.ShouldBe(RunStatus.Completed);
        Notes.ShouldBeEmpty();
        string sent = _server.Requests[1].Json.GetProperty("messages")[3].GetProperty("content").GetString()!;
        sent.ShouldContain("denied by the user");
        sent.ShouldContain("not now");
        result.Steps.Single(s => s.Kind == RunStepKind.ToolCall).Status.ShouldBe("denied");
    }

    [Fact]
    public async Task RunAsync_NoApprovalHandler_PausesSerializesAndResumesInAFreshRunner()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("a1", "add", """{"a":1,"b":1}"""), new FakeToolCall("n1", "save_note", """{"text":"persist me"}""")),
            FakeTurn.Text("Done: 2, and the note is saved."));
        AgentDefinition agent = Agent("anthropic/claude-sonnet-4-5", "add", "save_note");

        RunResult paused = await new AgentRunner(agent, Options()).RunAsync("Add and save.");

        paused.Status.ShouldBe(RunStatus.AwaitingApproval);
        ApprovalRequest pending = paused.PendingApprovals.ShouldHaveSingleItem();
        pending.ToolName.ShouldBe("save_note");
        Notes.ShouldBeEmpty();
        string json = paused.State!.ToJson();

        // Another process: a new runner, the state read back from JSON, the user's decision.
        RunState restored = RunState.FromJson(json);
        restored.PendingApprovals.ShouldHaveSingleItem().ApprovalId.ShouldBe(pending.ApprovalId);
        RunResult resumed = await new AgentRunner(agent, Options()).ResumeAsync(restored, [ApprovalDecision.Approve(pending.ApprovalId)]);

        resumed.Status.ShouldBe(RunStatus.Completed);
        resumed.Text.ShouldBe("Done: 2, and the note is saved.");
        Notes.ShouldBe(["persist me"]);
        resumed.Messages.Count.ShouldBe(4); // user, assistant calls, results, answer
        JsonElement results = _server.Requests[1].Json.GetProperty("messages")[2].GetProperty("content");
        results.GetArrayLength().ShouldBe(2);
        results[0].GetProperty("content").GetString().ShouldBe("2");
        results[1].GetProperty("content").GetString().ShouldBe("saved");
    }

    [Fact]
    public async Task ResumeAsync_UnknownApprovalId_IsRejected()
    {
        _server.Enqueue(Call("n1", "save_note", """{"text":"x"}"""));
        RunResult paused = await new AgentRunner(Agent("openai/gpt-4o-mini", "save_note"), Options()).RunAsync("save");

        await Should.ThrowAsync<ArgumentException>(() =>
            new AgentRunner(Agent("openai/gpt-4o-mini", "save_note"), Options()).ResumeAsync(paused.State!, [ApprovalDecision.Approve("run_x/nope")]));
    }

    [Fact]
    public async Task ResumeAsync_StateNotWaiting_IsRefusedInsteadOfRerunningTools()
    {
        _server.Enqueue(Call("n1", "save_note", """{"text":"once"}"""), FakeTurn.Text("saved"));
        var runner = new AgentRunner(Agent("openai/gpt-4o-mini", "save_note"), Options());
        RunResult paused = await runner.RunAsync("save");
        string approvalId = paused.PendingApprovals.Single().ApprovalId;
        RunState state = paused.State!;
        await runner.ResumeAsync(state, [ApprovalDecision.Approve(approvalId)]);

        await Should.ThrowAsync<InvalidOperationException>(() => runner.ResumeAsync(state, []));

        Notes.ShouldBe(["once"]);
    }

    [Fact]
    public async Task RunAsync_MaxIterations_StopsAndKeepsTheWork()
    {
        _server.Enqueue(Call("c1", "add", """{"a":1,"b":1}"""), Call("c2", "add", """{"a":2,"b":2}"""), Call("c3", "add", """{"a":3,"b":3}"""));
        AgentDefinition agent = Agent("openai/gpt-4o-mini", "add");
        agent.MaxIterations = 2;

        RunResult result = await new AgentRunner(agent, Options()).RunAsync("Keep adding.");

        result.Status.ShouldBe(RunStatus.MaxIterations);
        result.Messages.Count.ShouldBe(5); // user, call, result, call, result
        _server.Requests.Count.ShouldBe(2);
        _server.RemainingTurns.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_HandoffAcrossProviders_TargetContinuesAndAsksApprovalOnce()
    {
        int asked = 0;
        var triage = new AgentDefinition
        {
            Name = "triage",
            Instructions = "Route to the right specialist.",
            Model = "openai/gpt-4o-mini",
            Handoffs = ["notes"],
        };
        var notes = new AgentDefinition
        {
            Name = "notes",
            Description = "Keeps the user's notes.",
            Instructions = "You keep notes.",
            Model = "anthropic/claude-sonnet-4-5",
            Tools = ["save_note"],
        };
        _server.Enqueue(
            Call("h1", "transfer_to_notes", """{"reason":"wants a note saved"}"""),
            Call("n1", "save_note", """{"text":"call mom"}"""),
            FakeTurn.Text("Saved your note."));
        var runner = new AgentRunner([triage, notes], "triage", Options((request, _) =>
        {
            asked++;
            return ValueTask.FromResult(ApprovalDecision.Approve(request.ApprovalId));
        }));
        var events = new List<RunEvent>();

        await foreach (RunEvent e in runner.RunStreamingAsync("Please note: call mom"))
        {
            events.Add(e);
        }

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        events.OfType<MessageAddedEvent>().Select(e => e.Message).ShouldBe(result.Messages); // each message announced as added, in order
        result.Status.ShouldBe(RunStatus.Completed);
        result.Agent.ShouldBe("notes");
        result.HandoffPath.ShouldBe(["triage", "notes"]);
        asked.ShouldBe(1);
        Notes.ShouldBe(["call mom"]);
        HandoffEvent handoff = events.OfType<HandoffEvent>().ShouldHaveSingleItem();
        handoff.To.ShouldBe("notes");
        handoff.Reason.ShouldBe("wants a note saved");
        _server.Requests[0].Format.ShouldBe(FakeWireFormat.OpenAI);
        _server.Requests[0].Json.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("transfer_to_notes");
        _server.Requests[1].Format.ShouldBe(FakeWireFormat.Anthropic);
        _server.Requests[1].Json.GetProperty("system").GetString().ShouldBe("You keep notes.");
        _server.Requests[1].Body.ShouldContain("Transferred to notes.");
        result.Steps.ShouldContain(s => s.Kind == RunStepKind.Handoff && s.ToolName == "notes");
    }

    [Fact]
    public async Task RunAsync_HandoffLimit_StopsLoops()
    {
        var a = new AgentDefinition { Name = "a", Model = "openai/gpt-4o-mini", Handoffs = ["b"] };
        var b = new AgentDefinition { Name = "b", Model = "openai/gpt-4o-mini", Handoffs = ["a"] };
        _server.Enqueue(
            Call("h1", "transfer_to_b", """{"reason":"1"}"""),
            Call("h2", "transfer_to_a", """{"reason":"2"}"""),
            Call("h3", "transfer_to_b", """{"reason":"3"}"""),
            FakeTurn.Text("I will answer myself."));
        AgentRunnerOptions options = Options();
        options.MaxHandoffs = 2;

        RunResult result = await new AgentRunner([a, b], "a", options).RunAsync("ping-pong");

        result.Status.ShouldBe(RunStatus.Completed);
        result.HandoffPath.ShouldBe(["a", "b", "a"]);
        result.Steps.Last(s => s.Kind == RunStepKind.ToolCall).Output!.ShouldContain("handoff limit");
    }

    [Fact]
    public async Task RunAsync_CancelledDuringSlowTool_IsCancelledAndHistoryStaysValid()
    {
        _server.Enqueue(Call("s1", "slow", "{}"));
        var runner = new AgentRunner(Agent("openai/gpt-4o-mini", "slow"), Options());
        using var cts = new CancellationTokenSource();
        var events = new List<RunEvent>();

        await foreach (RunEvent e in runner.RunStreamingAsync("wait", cancellationToken: cts.Token))
        {
            events.Add(e);
            if (e is ToolCallStartedEvent)
            {
                cts.CancelAfter(100);
            }
        }

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        result.Status.ShouldBe(RunStatus.Cancelled);
        FunctionResultContent closed = result.Messages.Last().Contents.OfType<FunctionResultContent>().ShouldHaveSingleItem();
        closed.CallId.ShouldBe("s1");
        closed.Result!.ToString()!.ShouldContain("cancelled");
    }

    [Fact]
    public async Task RunAsync_ProviderFails_StatusFailedWithTheError()
    {
        _server.Enqueue(FakeTurn.ProviderError(401, "invalid x-api-key"));
        RunResult result = await new AgentRunner(Agent("anthropic/claude-sonnet-4-5"), Options()).RunAsync("hi");

        result.Status.ShouldBe(RunStatus.Failed);
        result.Error.ShouldBeOfType<ProviderAuthenticationException>();
    }

    [Theory]
    [InlineData(AutonomyLevel.Manual, "add", true)]
    [InlineData(AutonomyLevel.Supervised, "add", false)]
    [InlineData(AutonomyLevel.Supervised, "save_note", true)]
    [InlineData(AutonomyLevel.Autonomous, "save_note", false)]
    public async Task RunAsync_AutonomyLevels_DecideWhatAsks(AutonomyLevel autonomy, string tool, bool asks)
    {
        int asked = 0;
        string args = tool == "add" ? """{"a":1,"b":2}""" : """{"text":"t"}""";
        _server.Enqueue(Call("c1", tool, args), FakeTurn.Text("ok"));
        AgentDefinition agent = Agent("openai/gpt-4o-mini", "add", "save_note");
        agent.Autonomy = autonomy;

        RunResult result = await new AgentRunner(agent, Options((r, _) =>
        {
            asked++;
            return ValueTask.FromResult(ApprovalDecision.Approve(r.ApprovalId));
        })).RunAsync("go");

        result.Status.ShouldBe(RunStatus.Completed);
        asked.ShouldBe(asks ? 1 : 0);
        result.Steps.Single(s => s.Kind == RunStepKind.ToolCall).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task RunAsync_DenyHoldsEvenWhenAutonomous_AndRunOverridesWin()
    {
        _server.Enqueue(Call("c1", "add", """{"a":1,"b":2}"""), FakeTurn.Text("ok"), Call("c2", "add", """{"a":1,"b":2}"""), FakeTurn.Text("ok"));
        AgentDefinition agent = Agent("openai/gpt-4o-mini", "add");
        agent.Autonomy = AutonomyLevel.Autonomous;
        agent.ToolPermissions["add"] = ToolPermission.Deny;
        var runner = new AgentRunner(agent, Options());

        RunResult denied = await runner.RunAsync("add");
        RunResult allowed = await runner.RunAsync("add", options: new RunOptions { ToolPermissions = { ["add"] = ToolPermission.Allow } });

        denied.Steps.Single(s => s.Kind == RunStepKind.ToolCall).Status.ShouldBe("denied");
        allowed.Steps.Single(s => s.Kind == RunStepKind.ToolCall).Status.ShouldBe("ok");
    }

    [Fact]
    public async Task RunAsync_BrokenHistory_IsRepairedBeforeTheModelCall()
    {
        List<ChatMessage> history =
        [
            new(ChatRole.User, "earlier"),
            new(ChatRole.Assistant, [new FunctionCallContent("lost", "add", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 })]),
            new(ChatRole.User, "and then the process crashed"),
            new(ChatRole.Tool, [new FunctionResultContent("orphan", "stray result")]),
        ];
        _server.Enqueue(FakeTurn.Text("Recovered."));

        RunResult result = await new AgentRunner(Agent("openai/gpt-4o-mini", "add"), Options()).RunAsync("continue", history);

        result.Status.ShouldBe(RunStatus.Completed);
        JsonElement messages = _server.Requests[0].Json.GetProperty("messages");
        string[] roles = [.. messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];
        roles.ShouldBe(["system", "user", "assistant", "tool", "user", "user"]);
        messages[3].GetProperty("tool_call_id").GetString().ShouldBe("lost");
        _server.Requests[0].Body.ShouldNotContain("stray result");
    }

    [Fact]
    public async Task RunAsync_CodingAgentWithBuiltIns_WritesInsideTheWorkspaceAndRefusesEscapes()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(
                new FakeToolCall("w1", "write_file", """{"path":"src/hello.txt","content":"hello\n"}"""),
                new FakeToolCall("w2", "write_file", """{"path":"../escaped.txt","content":"nope"}""")),
            Call("r1", "read_file", """{"path":"src/hello.txt"}"""),
            Call("s1", "shell", """{"command":"rm -rf /"}"""),
            FakeTurn.Text("Wrote src/hello.txt."));
        var options = new AgentRunnerOptions
        {
            ChatClientFactory = id => _server.CreateClient(id),
            Tools = ToolRegistry.CreateWithBuiltIns(),
            Workspace = new Workspace(_workspace),
            Autonomy = AutonomyLevel.Autonomous,
        };
        var coder = new AgentDefinition { Name = "coder", Model = "openai/gpt-4.1", Tools = ["files", "search", "shell"] };

        RunResult result = await new AgentRunner(coder, options).RunAsync("Create src/hello.txt");

        result.Status.ShouldBe(RunStatus.Completed);
        File.ReadAllText(Path.Combine(_workspace, "src", "hello.txt")).ShouldBe("hello\n");
        File.Exists(Path.Combine(Path.GetDirectoryName(_workspace)!, "escaped.txt")).ShouldBeFalse();
        RunStep[] calls = [.. result.Steps.Where(s => s.Kind == RunStepKind.ToolCall)];
        calls.Select(c => c.Status).ShouldBe(["ok", "error", "ok", "error"]);
        calls[1].Output!.ShouldContain("outside the workspace");
        calls[2].Output!.ShouldContain("hello");
        calls[3].Output!.ShouldContain("deny list");
    }

    [Fact]
    public async Task ResumeAsync_PauseAfterHandoff_ContinuesWithTheTargetAgent()
    {
        var triage = new AgentDefinition { Name = "triage", Model = "gemini/gemini-2.5-flash", Handoffs = ["notes"] };
        var notes = new AgentDefinition { Name = "notes", Model = "ollama/llama3.1", Tools = ["save_note"], Instructions = "Keep notes." };
        _server.Enqueue(
            Call("h1", "transfer_to_notes", """{"reason":"note"}"""),
            Call("n1", "save_note", """{"text":"after handoff"}"""),
            FakeTurn.Text("Noted."));

        RunResult paused = await new AgentRunner([triage, notes], "triage", Options()).RunAsync("note this");

        paused.Status.ShouldBe(RunStatus.AwaitingApproval);
        paused.Agent.ShouldBe("notes");
        string approvalId = paused.PendingApprovals.ShouldHaveSingleItem().ApprovalId;
        approvalId.ShouldStartWith(paused.State!.RunId + "/");
        RunState restored = RunState.FromJson(paused.State.ToJson());

        RunResult resumed = await new AgentRunner([triage, notes], "triage", Options()).ResumeAsync(restored, [ApprovalDecision.Approve(approvalId)]);

        resumed.Status.ShouldBe(RunStatus.Completed);
        resumed.Agent.ShouldBe("notes");
        resumed.HandoffPath.ShouldBe(["triage", "notes"]);
        Notes.ShouldBe(["after handoff"]);
        _server.Requests[2].Format.ShouldBe(FakeWireFormat.Ollama);
        _server.Requests[2].Body.ShouldContain("saved");
    }

    [Fact]
    public async Task RunAsync_StreamingOff_UsesWholeResponsesAndStillEmitsText()
    {
        _server.Enqueue(Call("c1", "add", """{"a":4,"b":4}"""), FakeTurn.Text("Eight."));
        AgentRunnerOptions options = Options();
        options.Streaming = false;
        var texts = new List<string>();

        await foreach (RunEvent e in new AgentRunner(Agent("anthropic/claude-sonnet-4-5", "add"), options).RunStreamingAsync("4+4"))
        {
            if (e is TextDeltaEvent t)
            {
                texts.Add(t.Text);
            }
        }

        texts.ShouldBe(["Eight."]);
        _server.Requests.ShouldAllBe(r => !r.Streaming);
    }

    [Fact]
    public async Task RunAsync_FactoryRunnerWithLongHistoryOnASmallWindowModel_IsFittedToTheWindow()
    {
        List<ChatMessage> history = [];
        for (int i = 0; i < 40; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {i}: " + new string('x', 200)));
            history.Add(new ChatMessage(ChatRole.Assistant, $"Answer {i}: " + new string('y', 200)));
        }

        _server.Enqueue(FakeTurn.Text("fits"));
        var factory = new AgentRunnerFactory(id => _server.CreateClient(id), Registry());
        AgentRunner runner = factory.Create(Agent("openai/tiny-window"), options =>
            options.Models = Allos.Models.ModelCatalog.Default.With([new Allos.Models.ModelInfo("openai/tiny-window", 2_000, 200)]));

        RunResult result = await runner.RunAsync("Last question?", history);

        result.Status.ShouldBe(RunStatus.Completed);
        JsonElement sent = _server.Requests.ShouldHaveSingleItem().Json.GetProperty("messages");
        sent.GetArrayLength().ShouldBeLessThan(history.Count / 2);
        sent[0].GetProperty("role").GetString().ShouldBe("system");
        sent[sent.GetArrayLength() - 1].GetProperty("content").GetString().ShouldBe("Last question?");
    }
}
