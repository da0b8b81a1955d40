using System.Text.Json;
using Allos.Agents;
using Allos.IntegrationTests.Storage;
using Allos.Sessions;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Allos.Tools;

namespace Allos.IntegrationTests.Sessions;

/// <summary>Agents and chat clients running inside sessions stored in a real SQLite file, against the fake server.</summary>
public sealed class ChatSessionTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _database = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _database.Dispose();

    private AgentRunner Runner(string model = "openai/gpt-4o-mini") => new(
        new AgentDefinition { Name = "helper", Model = model, Tools = ["add"] },
        new AgentRunnerOptions
        {
            ChatClientFactory = id => _server.CreateClient(id),
            Tools = new ToolRegistry().Add(AIFunctionFactory.Create((int a, int b) => a + b, "add")),
        });

    [Fact]
    public async Task RunAsync_StoresEveryMessageAndTotals_AndAResumedSessionContinues()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "add", """{"a":2,"b":3}""")).WithUsage(1_000, 100),
            FakeTurn.Text("5").WithUsage(1_200, 10),
            FakeTurn.Text("Still 5.").WithUsage(1_300, 5));
        string id;
        await using (SqliteStore store = await _database.OpenAsync())
        {
            var manager = new SessionManager(store.Sessions, store.Telemetry);
            ChatSession session = await manager.CreateAsync(title: "math", agent: "helper", model: "openai/gpt-4o-mini");
            id = session.Id;

            RunResult result = await session.RunAsync(Runner(), "2+3?");

            result.Status.ShouldBe(RunStatus.Completed);
            session.Messages.Count.ShouldBe(4);
            session.Record.InputTokens.ShouldBe(2_200);
            session.Record.OutputTokens.ShouldBe(110);
            session.Record.Cost.ShouldNotBeNull().ShouldBeGreaterThan(0m); // gpt-4o-mini is priced in the catalog
            await store.Telemetry.FlushAsync();
            UsageStats byModel = (await store.Telemetry.StatsAsync(StatsGrouping.Model)).ShouldHaveSingleItem();
            byModel.Calls.ShouldBe(2);
            byModel.Cost.ShouldBe(session.Record.Cost);
        }

        // Another process, later: the file is reopened and the session resumed by id.
        await using (SqliteStore store = await _database.OpenAsync())
        {
            var manager = new SessionManager(store.Sessions, store.Telemetry);
            ChatSession resumed = await manager.ResumeAsync(id);
            resumed.Messages.Count.ShouldBe(4);
            resumed.Messages[1].Contents.OfType<FunctionCallContent>().Single().Arguments!["a"].ShouldBeOfType<JsonElement>().GetInt32().ShouldBe(2);

            await resumed.RunAsync(Runner(), "And now?");

            JsonElement sent = _server.Requests[2].Json.GetProperty("messages");
            sent.EnumerateArray().Select(m => m.GetProperty("role").GetString()).ShouldBe(["user", "assistant", "tool", "assistant", "user"]);
            (await store.Sessions.GetMessagesAsync(id)).Count.ShouldBe(6);
        }
    }

    [Fact]
    public async Task ForkClearDeleteAndExport_WorkOnStoredSessions()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "add", """{"a":1,"b":1}""")), FakeTurn.Text("Two."));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync(title: "Export me");
        await session.RunAsync(Runner(), "1+1?");

        ChatSession fork = await manager.ForkAsync(session.Id);
        string json = await manager.ExportJsonAsync(session.Id);
        string markdown = await manager.ExportMarkdownAsync(session.Id);
        await manager.ClearAsync(fork.Id);
        bool deleted = await manager.DeleteAsync(session.Id);

        fork.Messages.Count.ShouldBe(4);
        using (JsonDocument export = JsonDocument.Parse(json))
        {
            export.RootElement.GetProperty("title").GetString().ShouldBe("Export me");
            export.RootElement.GetProperty("messages").GetArrayLength().ShouldBe(4);
            export.RootElement.GetProperty("messages")[1].GetRawText().ShouldContain("functionCall");
        }

        markdown.ShouldStartWith("# Export me");
        markdown.ShouldContain("Tool call `add`");
        markdown.ShouldContain("## assistant (helper)");
        (await manager.ResumeAsync(fork.Id)).Messages.ShouldBeEmpty();
        deleted.ShouldBeTrue();
        await Should.ThrowAsync<KeyNotFoundException>(() => manager.ResumeAsync(session.Id));
        (await manager.ListAsync()).Select(s => s.Id).ShouldBe([fork.Id]);
    }

    [Fact]
    public async Task ReplaceMessagesAsync_NewHistory_IsStoredAndAddsTheTurnToTotals()
    {
        _server.Enqueue(FakeTurn.Text("First.").WithUsage(100, 10), FakeTurn.Text("Second.").WithUsage(200, 20));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync();
        await session.RunAsync(Runner(), "one");
        await session.RunAsync(Runner(), "two");

        ChatSession replaced = await manager.ReplaceMessagesAsync(
            session.Id,
            [new ChatMessage(ChatRole.User, "Summary: one, First."), .. session.Messages.Skip(2)],
            new TurnMetadata { Model = "openai/gpt-4o-mini", InputTokens = 50, OutputTokens = 5 });

        replaced.Id.ShouldBe(session.Id);
        replaced.Messages.Select(m => m.Text).ShouldBe(["Summary: one, First.", "two", "Second."]);
        (await manager.ResumeAsync(session.Id)).Messages.Count.ShouldBe(3);
        replaced.Record.InputTokens.ShouldBe(350);
        replaced.Record.OutputTokens.ShouldBe(35);
        await Should.ThrowAsync<KeyNotFoundException>(() => manager.ReplaceMessagesAsync("missing", []));
    }

    [Fact]
    public async Task CompactContextAsync_LaterRunsSeeTheSummaryAndTheKeptTurnsWhileTheStoreKeepsAll()
    {
        _server.Enqueue(FakeTurn.Text("First."), FakeTurn.Text("Second."), FakeTurn.Text("Third."), FakeTurn.Text("Fourth."), FakeTurn.Text("Fifth."));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync();
        await session.RunAsync(Runner(), "one");
        await session.RunAsync(Runner(), "two");

        ChatSession compacted = await manager.CompactContextAsync(session.Id, "Summary: one, First.", keepLast: 2,
            new TurnMetadata { Model = "openai/gpt-4o-mini", InputTokens = 50, OutputTokens = 5 });
        await compacted.RunAsync(Runner(), "three");

        compacted.Messages.Select(m => m.Text).ShouldBe(["Summary: one, First.", "two", "Second.", "three", "Third."]);
        _server.Requests[2].Body.ShouldNotContain("\"one\"");
        _server.Requests[2].Body.ShouldContain("Summary: one, First.");
        compacted.Record.InputTokens.ShouldBe(50);

        // Compacted again, then cleared: each later view starts from the last marker, in a reopened store too.
        ChatSession twice = await manager.CompactContextAsync(session.Id, "Summary: one to two.", keepLast: 2);
        twice.Messages.Select(m => m.Text).ShouldBe(["Summary: one to two.", "three", "Third."]);
        ChatSession cleared = await manager.ClearContextAsync(session.Id);
        cleared.Messages.ShouldBeEmpty();
        await cleared.RunAsync(Runner(), "four");
        _server.Requests[3].Body.ShouldNotContain("Summary");
        (await manager.ResumeAsync(session.Id)).Messages.Select(m => m.Text).ShouldBe(["four", "Fourth."]);

        IReadOnlyList<StoredMessage> transcript = await store.Sessions.GetMessagesAsync(session.Id);
        transcript.Select(m => m.Message.Text).ShouldBe(
            ["one", "First.", "two", "Second.", "Summary: one, First.", "three", "Third.", "Summary: one to two.",
             "(The conversation was cleared here: the turns after this start afresh.)", "four", "Fourth."]);
        (await manager.ExportJsonAsync(session.Id)).ShouldContain("\"one\"");
        await Should.ThrowAsync<KeyNotFoundException>(() => manager.ClearContextAsync("missing"));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => manager.CompactContextAsync(session.Id, "s", keepLast: 3));
    }

    [Fact]
    public async Task RunAsync_UnknownModelPrice_CostStaysUnknown()
    {
        _server.Enqueue(FakeTurn.Text("hi").WithUsage(10, 2));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync();

        await session.RunAsync(Runner("openai/some-model-nobody-prices"), "hi");

        session.Record.InputTokens.ShouldBe(10);
        session.Record.Cost.ShouldBeNull();
    }

    [Fact]
    public async Task RunAsync_Cancelled_KeepsCompletedTurnsAndMarksTheRunIncomplete()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "add", """{"a":1,"b":2}""")),
            FakeTurn.Text("a b c d e f g h").WithChunkDelay(TimeSpan.FromMilliseconds(300)));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync();
        using var cts = new CancellationTokenSource();

        RunResult? result = null;
        await foreach (RunEvent e in session.RunStreamingAsync(Runner(), "go", cancellationToken: cts.Token))
        {
            if (e is ToolCallCompletedEvent)
            {
                cts.CancelAfter(200);
            }

            if (e is RunCompletedEvent done)
            {
                result = done.Result;
            }
        }

        result!.Status.ShouldBe(RunStatus.Cancelled);
        IReadOnlyList<StoredMessage> stored = await store.Sessions.GetMessagesAsync(session.Id);
        stored.Count.ShouldBe(3); // user, assistant call, tool result: every completed turn is there
        long incomplete = (long)_database.Scalar("SELECT count(*) FROM runs WHERE status = 'incomplete'")!;
        incomplete.ShouldBe(1);
    }

    [Fact]
    public async Task SendAsync_PlainChatClient_StoresBothSides()
    {
        _server.Enqueue(FakeTurn.Text("Bonjour!").WithUsage(5, 2));
        await using SqliteStore store = await _database.OpenAsync();
        var manager = new SessionManager(store.Sessions);
        ChatSession session = await manager.CreateAsync();

        ChatResponse reply = await session.SendAsync(_server.CreateClient("gemini/gemini-2.5-flash"), "Say hello in French");

        reply.Text.ShouldBe("Bonjour!");
        (await store.Sessions.GetMessagesAsync(session.Id)).Select(m => m.Message.Text).ShouldBe(["Say hello in French", "Bonjour!"]);
        session.Record.OutputTokens.ShouldBe(2);
        session.Record.Cost.ShouldNotBeNull();
        (await manager.SearchAsync("French")).ShouldHaveSingleItem().SessionId.ShouldBe(session.Id);
    }
}
