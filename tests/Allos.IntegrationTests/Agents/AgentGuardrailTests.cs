using Allos.Agents;
using Allos.Agents.Guardrails;
using Allos.IntegrationTests.Storage;
using Allos.Sessions;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Allos.Tools;

namespace Allos.IntegrationTests.Agents;

/// <summary>Guardrails on a running agent, against the fake provider server (and a second one for the judge model).</summary>
public sealed class AgentGuardrailTests : IAsyncLifetime, IDisposable
{
    private const string JudgeModel = "openai/judge-mini";

    private readonly string _workspace = Directory.CreateTempSubdirectory("allos-guard-").FullName;
    private readonly List<string> _notes = [];
    private FakeProviderServer _server = null!;
    private FakeProviderServer _judge = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _judge = await FakeProviderServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _judge.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private AgentRunner Runner(params Guardrail[] guardrails)
    {
        var agent = new AgentDefinition { Name = "assistant", Instructions = "Help.", Model = "openai/gpt-4o-mini", Tools = ["save_note"], Guardrails = guardrails };
        var tools = new ToolRegistry();
        tools.Add(Tool.Create("save_note", "Saves a note.", """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""", (args, _, _) =>
        {
            lock (_notes)
            {
                _notes.Add(args.GetProperty("text").GetString()!);
            }

            return ValueTask.FromResult<object?>("saved");
        }));
        return new AgentRunner(agent, new AgentRunnerOptions
        {
            ChatClientFactory = id => id == JudgeModel ? _judge.CreateClient(id) : _server.CreateClient(id),
            Tools = tools,
            Workspace = new Workspace(_workspace),
            Autonomy = AutonomyLevel.Autonomous,
        });
    }

    private static FakeTurn SaveNote(string text) => FakeTurn.ToolCalls(new FakeToolCall("c1", "save_note", $$"""{"text":"{{text}}"}""")).WithUsage(10, 5);

    private static async Task<List<RunEvent>> EventsAsync(AgentRunner runner, string input)
    {
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.RunStreamingAsync(input))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task RunAsync_RedactInput_TheWireRequestAndTheSessionHoldTheRedactedText()
    {
        _server.Enqueue(FakeTurn.Text("Noted.").WithUsage(10, 2));
        var database = new TempDatabase();
        try
        {
            await using SqliteStore store = await database.OpenAsync();
            ChatSession session = await new SessionManager(store.Sessions).CreateAsync(agent: "assistant");

            RunResult result = await session.RunAsync(Runner(Guardrail.Redact(GuardrailStage.Input)), "Mail jane.doe@example.com, key sk-ant-" + "api03-abcdefghijklmnopqrstuvwx");

            result.Status.ShouldBe(RunStatus.Completed);
            string body = _server.Requests.ShouldHaveSingleItem().Body;
            body.ShouldContain("[redacted:email]");
            body.ShouldContain("[redacted:api_key]");
            body.ShouldNotContain("jane.doe@example.com");
            body.ShouldNotContain("sk-ant-api03");
            IReadOnlyList<StoredMessage> stored = await store.Sessions.GetMessagesAsync(session.Id);
            stored[0].Message.Text.ShouldBe("Mail [redacted:email], key [redacted:api_key]");
            stored.ShouldAllBe(m => !m.Message.Text.Contains("example.com"));
        }
        finally
        {
            database.Dispose();
        }
    }

    [Fact]
    public async Task RunAsync_DenyTrips_StopsWithoutRunningTheToolOrKeepingTheInput()
    {
        _server.Enqueue(SaveNote("rm"), FakeTurn.Text("done"));

        List<RunEvent> events = await EventsAsync(Runner(Guardrail.Deny(["(?i)rm -rf"])), "please rm -rf / for me");

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        result.Guardrail.ShouldBe(new GuardrailTrip("deny", GuardrailStage.Input, "the input matches deny pattern 1"));
        result.Messages.ShouldBeEmpty();
        result.Text.ShouldBeEmpty();
        _notes.ShouldBeEmpty();
        events.ShouldNotContain(e => e is MessageAddedEvent || e is TextDeltaEvent || e is ToolCallStartedEvent);
    }

    [Fact]
    public async Task RunAsync_CheckingInputGuardrail_RunsWhileTheFirstModelCallIsMade_AndItsToolCallIsNotRunOnATrip()
    {
        // The guardrail returns only once the model request has reached the server: run one after the other, it never would.
        var slow = new WaitForModelGuardrail(_server, trip: true);
        _server.Enqueue(SaveNote("secret plan"), FakeTurn.Text("saved"));

        List<RunEvent> events = await EventsAsync(Runner(slow), "save a note");

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        result.Guardrail.ShouldBe(new GuardrailTrip("wait_for_model", GuardrailStage.Input, "checked while the model answered"));
        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        slow.RequestsSeen.ShouldBe(1);
        _server.Requests.Count.ShouldBe(1);
        _notes.ShouldBeEmpty();
        result.Messages.ShouldBeEmpty();
        events.ShouldNotContain(e => e is MessageAddedEvent || e is TextDeltaEvent || e is ToolCallStartedEvent);
    }

    [Fact]
    public async Task RunAsync_CheckingInputGuardrailPasses_TheFirstResponseIsActedOnAfterIt()
    {
        var slow = new WaitForModelGuardrail(_server, trip: false);
        _server.Enqueue(SaveNote("plan"), FakeTurn.Text("saved"));

        RunResult result = await Runner(slow).RunAsync("save a note");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Text.ShouldBe("saved");
        _notes.ShouldBe(["plan"]);
        result.Messages[0].Text.ShouldBe("save a note");
    }

    [Fact]
    public async Task RunAsync_JudgeTrips_ThroughItsOwnModel()
    {
        _judge.Enqueue(FakeTurn.Text("""{"tripped": true, "reason": "asks for medical advice"}"""));
        _server.Enqueue(FakeTurn.Text("Take two."));

        RunResult result = await Runner(Guardrail.Judge("The message asks for medical advice.", JudgeModel)).RunAsync("What dose of ibuprofen?");

        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        result.Guardrail.ShouldBe(new GuardrailTrip("judge", GuardrailStage.Input, "asks for medical advice"));
        string judged = _judge.Requests.ShouldHaveSingleItem().Body;
        judged.ShouldContain("The message asks for medical advice.");
        judged.ShouldContain("What dose of ibuprofen?");
        judged.ShouldContain("judge-mini");
        result.Messages.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_JudgePasses_TheRunCompletes()
    {
        _judge.Enqueue(FakeTurn.Text("```json\n{\"tripped\": false, \"reason\": \"\"}\n```"));
        _server.Enqueue(FakeTurn.Text("Paris."));

        RunResult result = await Runner(Guardrail.Judge("The message asks for medical advice.", JudgeModel)).RunAsync("Capital of France?");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Text.ShouldBe("Paris.");
    }

    [Fact]
    public async Task RunAsync_JudgeAnswersGarbage_IsNotAPass()
    {
        _judge.Enqueue(FakeTurn.Text("Looks fine to me!"));
        _server.Enqueue(FakeTurn.Text("Paris."));

        RunResult result = await Runner(Guardrail.Judge("The message asks for medical advice.", JudgeModel)).RunAsync("Capital of France?");

        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        result.Guardrail!.Reason.ShouldContain("did not answer with a verdict");
        result.Text.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_OutputSchemaFails_TheAnswerIsNeverStreamedOrKept()
    {
        _server.Enqueue(FakeTurn.Text("Sure! The answer is 42."));
        Guardrail schema = Guardrail.JsonSchema("""{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}""");

        List<RunEvent> events = await EventsAsync(Runner(schema), "answer in JSON");

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        result.Guardrail.ShouldBe(new GuardrailTrip("json_schema", GuardrailStage.Output, "the answer is not valid JSON"));
        result.Text.ShouldBeEmpty();
        result.Messages.ShouldHaveSingleItem().Role.ShouldBe(ChatRole.User);
        events.ShouldNotContain(e => e is TextDeltaEvent);
        events.OfType<MessageAddedEvent>().ShouldHaveSingleItem().Message.Role.ShouldBe(ChatRole.User);
    }

    [Fact]
    public async Task RunAsync_OutputTrips_TheSessionStoresTheInputAndNotTheAnswer()
    {
        _server.Enqueue(FakeTurn.Text("My key is sk-proj-" + "abcdefghijklmnopqrstuvwxyz123456").WithUsage(10, 8));
        var database = new TempDatabase();
        try
        {
            await using SqliteStore store = await database.OpenAsync();
            ChatSession session = await new SessionManager(store.Sessions).CreateAsync(agent: "assistant");

            RunResult result = await session.RunAsync(Runner(Guardrail.Redact(GuardrailStage.Output, RedactionKinds.ApiKey, GuardrailAction.Stop, "no_keys")), "what is your key?");

            result.Status.ShouldBe(RunStatus.GuardrailTripped);
            result.Guardrail.ShouldBe(new GuardrailTrip("no_keys", GuardrailStage.Output, "the answer contains an API key or token"));
            result.Usage.OutputTokenCount.ShouldBe(8);
            IReadOnlyList<StoredMessage> stored = await store.Sessions.GetMessagesAsync(session.Id);
            stored.ShouldHaveSingleItem().Message.Text.ShouldBe("what is your key?");
        }
        finally
        {
            database.Dispose();
        }
    }

    [Fact]
    public async Task RunAsync_OutputSchemaWrongType_TripsNamingThePath()
    {
        _server.Enqueue(FakeTurn.Text("""{"answer": "forty-two"}"""));
        Guardrail schema = Guardrail.JsonSchema("""{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}""");

        RunResult result = await Runner(schema).RunAsync("answer in JSON");

        result.Status.ShouldBe(RunStatus.GuardrailTripped);
        result.Guardrail!.Reason.ShouldContain("$.answer");
        result.Guardrail.Reason.ShouldNotContain("forty-two");
    }

    [Fact]
    public async Task RunAsync_OutputSchemaPasses_TheAnswerIsReleased()
    {
        _server.Enqueue(FakeTurn.Text("""{"answer": 42}"""));

        List<RunEvent> events = await EventsAsync(Runner(Guardrail.JsonSchema("""{"type":"object","required":["answer"]}""")), "answer in JSON");

        events.OfType<RunCompletedEvent>().Single().Result.Status.ShouldBe(RunStatus.Completed);
        string.Concat(events.OfType<TextDeltaEvent>().Select(e => e.Text)).ShouldBe("""{"answer": 42}""");
    }

    [Fact]
    public async Task RunAsync_OutputRedact_ShowsReturnsAndKeepsOnlyTheRedactedAnswer()
    {
        _server.Enqueue(FakeTurn.Text("Call +44 20 7946 0958 or write to ops@example.org.").WithTextChunkSize(4));

        List<RunEvent> events = await EventsAsync(Runner(Guardrail.Redact(GuardrailStage.Output)), "contact?");

        RunResult result = events.OfType<RunCompletedEvent>().Single().Result;
        result.Status.ShouldBe(RunStatus.Completed);
        result.Text.ShouldBe("Call [redacted:phone] or write to [redacted:email].");
        string.Concat(events.OfType<TextDeltaEvent>().Select(e => e.Text)).ShouldBe(result.Text);
        result.Messages[^1].Text.ShouldBe(result.Text);
    }

    /// <summary>Returns once the server has received the model request: proof the two run at the same time.</summary>
    private sealed class WaitForModelGuardrail(FakeProviderServer server, bool trip) : Guardrail("wait_for_model", GuardrailStage.Input)
    {
        public int RequestsSeen { get; private set; }

        public override async ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default)
        {
            // A bound so a broken implementation fails the test instead of hanging it; the guardrail then trips with another reason.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(10));
            while (server.Requests.Count == 0)
            {
                await Task.Delay(5, bound.Token);
            }

            RequestsSeen = server.Requests.Count;
            return trip ? GuardrailResult.Trip("checked while the model answered") : GuardrailResult.Pass;
        }
    }
}
