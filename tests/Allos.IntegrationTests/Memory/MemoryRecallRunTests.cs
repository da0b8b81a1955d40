using Allos.Agents;
using Allos.IntegrationTests.Storage;
using Allos.Memory;
using Allos.Storage;
using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Memory;

/// <summary><c>memory: recall</c> on a run: what earlier sessions said reaches the model before the input, marked, and is stored with it.</summary>
public sealed class MemoryRecallRunTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-memory-").FullName;
    private readonly TempDatabase _database = new();
    private FakeProviderServer _server = null!;
    private SqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _store = await _database.OpenAsync();
        await _store.Sessions.CreateAsync(new SessionRecord { Id = "monday" });
        await _store.Sessions.AppendMessagesAsync("monday", [
            new ChatMessage(ChatRole.User, "Where do the staging credentials for the billing service live?"),
            new ChatMessage(ChatRole.Assistant, "In vault under kv/billing/staging; rotate them with `vault kv put`."),
        ]);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_AgentWithMemoryRecall_SendsTheRecalledMessageBeforeTheInputAndAddsItToTheRun()
    {
        AgentTeam team = AgentTeam.LoadFile(Write("""
            agents:
              - name: ops
                model: openai/gpt-4o-mini
                memory: recall
            """));
        team.Agents.Single().Memory.ShouldBe(MemoryMode.Recall);
        _server.Enqueue(FakeTurn.Text("kv/billing/staging."));
        AgentRunner runner = team.CreateRunner(new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Memory = new MemoryRecall(_store.Sessions) });

        RunResult result = await runner.RunAsync("rotate the billing staging credentials", options: new RunOptions { SessionId = "tuesday" });

        result.Status.ShouldBe(RunStatus.Completed);
        string body = _server.Requests.Single().Body;
        int recalled = body.IndexOf("Recalled from the user", StringComparison.Ordinal);
        recalled.ShouldBeGreaterThan(0);
        body.IndexOf("kv/billing/staging", StringComparison.Ordinal).ShouldBeGreaterThan(recalled);
        body.IndexOf("rotate the billing staging credentials", StringComparison.Ordinal).ShouldBeGreaterThan(recalled, "the recall comes before the input");
        body.ShouldContain("[session monday, ");
        MemoryRecall.IsRecall(result.Messages[0]).ShouldBeTrue("the run's new messages start with the recall, so a session stores it marked");
        result.Messages[1].Text.ShouldBe("rotate the billing staging credentials");
    }

    [Fact]
    public async Task RunAsync_RecallOnlyForThisRun_OverridesAnAgentWithoutMemory_AndNothingMatchingSendsNoRecall()
    {
        var agent = new AgentDefinition { Name = "plain", Model = "openai/gpt-4o-mini" };
        _server.Enqueue(FakeTurn.Text("a"), FakeTurn.Text("b"), FakeTurn.Text("c"));
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Memory = new MemoryRecall(_store.Sessions) });

        await runner.RunAsync("billing staging credentials?");
        await runner.RunAsync("billing staging credentials?", options: new RunOptions { Memory = MemoryMode.Recall });
        await runner.RunAsync("a haiku about autumn", options: new RunOptions { Memory = MemoryMode.Recall });

        _server.Requests[0].Body.ShouldNotContain("Recalled from");
        _server.Requests[1].Body.ShouldContain("Recalled from the user");
        _server.Requests[2].Body.ShouldNotContain("Recalled from", customMessage: "nothing earlier shares a word with the input");
    }

    [Fact]
    public async Task RunAsync_RecallWithoutAStore_IsAConfigurationErrorBeforeAnythingIsSent()
    {
        var agent = new AgentDefinition { Name = "ops", Model = "openai/gpt-4o-mini", Memory = MemoryMode.Recall };
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id) });

        ConfigurationException error = await Should.ThrowAsync<ConfigurationException>(() => runner.RunAsync("anything"));

        error.Message.ShouldContain("AgentRunnerOptions.Memory");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void LoadFile_MemoryNotRecallOrNone_SaysWhichValuesAreAllowed()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => AgentTeam.LoadFile(Write("""
            agents:
              - name: ops
                memory: everything
            """)));

        error.Message.ShouldContain("memory must be recall or none, not 'everything'");
    }

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, "agents.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
