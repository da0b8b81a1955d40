using Allos.Agents;
using Allos.IntegrationTests.Storage;
using Allos.Sessions;
using Allos.Storage.Sqlite;
using Allos.Tools;

namespace Allos.IntegrationTests.Sessions;

/// <summary>A run paused for approval inside a stored session, continued later (another store, as another process would).</summary>
public sealed class ChatSessionResumeTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _database = new();
    private FakeProviderServer _server = null!;
    private int _saved;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ResumeStreamingAsync_ApprovedInALaterProcess_RunsTheCallAndStoresWhatTheRunAdds()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "save", "{}")), FakeTurn.Text("Saved."));
        string id;
        string state;
        await using (SqliteStore store = await _database.OpenAsync())
        {
            ChatSession session = await new SessionManager(store.Sessions).CreateAsync(agent: "helper");
            id = session.Id;
            RunResult paused = await session.RunAsync(Runner(), "Save it.");
            paused.Status.ShouldBe(RunStatus.AwaitingApproval);
            state = paused.State!.ToJson();
        }

        await using (SqliteStore store = await _database.OpenAsync())
        {
            ChatSession session = await new SessionManager(store.Sessions).ResumeAsync(id);
            RunState restored = RunState.FromJson(state);
            RunResult? result = null;
            await foreach (RunEvent e in session.ResumeStreamingAsync(Runner(), restored, [ApprovalDecision.Approve(restored.PendingApprovals[0].ApprovalId)]))
            {
                result = (e as RunCompletedEvent)?.Result ?? result;
            }

            result.ShouldNotBeNull().Status.ShouldBe(RunStatus.Completed);
            _saved.ShouldBe(1);
        }

        await using (SqliteStore store = await _database.OpenAsync())
        {
            ChatSession session = await new SessionManager(store.Sessions).ResumeAsync(id);
            session.Messages.Count.ShouldBe(4, "the question, the call, its result and the answer, each stored once");
            session.Messages[^1].Text.ShouldBe("Saved.");
        }
    }

    [Fact]
    public async Task ResumeStreamingAsync_DecisionForAnotherApproval_ThrowsBeforeAnythingIsStored()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "save", "{}")));
        await using SqliteStore store = await _database.OpenAsync();
        ChatSession session = await new SessionManager(store.Sessions).CreateAsync();
        RunResult paused = await session.RunAsync(Runner(), "Save it.");
        int stored = session.Messages.Count;

        Should.Throw<ArgumentException>(() => session.ResumeStreamingAsync(Runner(), paused.State!, [ApprovalDecision.Approve("run_x/nope")]));

        (await store.Sessions.GetMessagesAsync(session.Id)).Count.ShouldBe(stored);
    }

    private AgentRunner Runner() => new(
        new AgentDefinition { Name = "helper", Model = "openai/gpt-4o-mini", Tools = ["save"] },
        new AgentRunnerOptions
        {
            ChatClientFactory = id => _server.CreateClient(id),
            Tools = new ToolRegistry().Add(Tool.Create("save", "Saves.", """{"type":"object"}""", (_, _, _) => ValueTask.FromResult<object?>($"saved {++_saved}"), ToolRisk.Writes)),
        });
}
