using System.Text;
using Allos.Agents;
using Allos.IntegrationTests.Storage;
using Allos.Security;
using Allos.Sessions;
using Allos.Storage.Sqlite;
using Allos.Storage;
using Allos.Tools;

namespace Allos.IntegrationTests.Security;

/// <summary>Secrets a tool prints never reach the model, the trace or the SQLite store; secret files ask before they are read.</summary>
public sealed class SecretRedactionTests : IAsyncLifetime, IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("allos-secrets-").FullName;
    private readonly TempDatabase _database = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        Directory.Delete(_workspace, recursive: true);
        _database.Dispose();
    }

    private AgentRunnerOptions Options(AutonomyLevel autonomy, ApprovalHandler? approvals = null) => new()
    {
        ChatClientFactory = id => _server.CreateClient(id),
        Tools = ToolRegistry.CreateWithBuiltIns(),
        Workspace = new Workspace(_workspace),
        Autonomy = autonomy,
        ApprovalHandler = approvals,
    };

    private static AgentDefinition Coder(params string[] tools) => new() { Name = "coder", Model = "openai/gpt-4o-mini", Tools = tools };

    [Fact]
    public async Task RunAsync_ShellPrintsARegisteredSecret_ModelTraceAndStoreSeeOnlyTheMarker()
    {
        string secret = "sk-run-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("DEPLOY_TOKEN", secret);
        File.WriteAllText(Path.Combine(_workspace, "deploy.txt"), $"token: {secret}\n");
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("s1", "shell", """{"command":"cat deploy.txt"}""")),
            FakeTurn.Text("Printed it."));

        string id;
        await using (SqliteStore store = await _database.OpenAsync())
        {
            var manager = new SessionManager(store.Sessions, store.Telemetry);
            ChatSession session = await manager.CreateAsync(title: "leak", agent: "coder", model: "openai/gpt-4o-mini");
            id = session.Id;

            RunResult result = await session.RunAsync(new AgentRunner(Coder("shell"), Options(AutonomyLevel.Autonomous)), "Print deploy.txt");

            result.Status.ShouldBe(RunStatus.Completed);
            _server.Requests.Count.ShouldBe(2);
            _server.Requests[1].Body.ShouldNotContain(secret);
            _server.Requests[1].Body.ShouldContain("token: [redacted DEPLOY_TOKEN]");
            RunStep step = result.Steps.Single(s => s.Kind == RunStepKind.ToolCall);
            step.Output.ShouldNotBeNull().ShouldContain("[redacted DEPLOY_TOKEN]");
            result.TraceToJson().ShouldNotContain(secret);
            (await manager.ExportJsonAsync(id)).ShouldNotContain(secret);
            await store.Telemetry.FlushAsync();
        }

        // Every byte the store wrote (database, journal, full-text index) is free of the secret.
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(_database.Path)!))
        {
            Encoding.UTF8.GetString(File.ReadAllBytes(file)).ShouldNotContain(secret, customMessage: file);
        }

        ((long)_database.Scalar("SELECT count(*) FROM messages WHERE json LIKE '%[redacted DEPLOY_TOKEN]%'")!).ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData(AutonomyLevel.Supervised)]
    [InlineData(AutonomyLevel.Autonomous)]
    public async Task RunAsync_ReadFileOnDotEnv_AsksFirstEvenWhenAutonomous(AutonomyLevel autonomy)
    {
        File.WriteAllText(Path.Combine(_workspace, ".env"), "OPENAI_API_KEY=sk-dotenv-value-123\n");
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("r1", "read_file", """{"path":".env"}""")));

        RunResult result = await new AgentRunner(Coder("read_file"), Options(autonomy)).RunAsync("Show .env");

        result.Status.ShouldBe(RunStatus.AwaitingApproval);
        ApprovalRequest pending = result.PendingApprovals.ShouldHaveSingleItem();
        pending.ToolName.ShouldBe("read_file");
        pending.Escalated.ShouldBeTrue();
        pending.Reason.ShouldContain("usually holds secrets");
        result.Steps.ShouldNotContain(s => s.Kind == RunStepKind.ToolCall);
    }

    [Fact]
    public async Task RunAsync_ReadFileOnDotEnvDenied_ModelIsToldAndNeverSeesTheFile()
    {
        File.WriteAllText(Path.Combine(_workspace, ".env"), "OPENAI_API_KEY=sk-dotenv-denied-456\n");
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("r1", "read_file", """{"path":".env"}""")), FakeTurn.Text("I could not read it."));
        var runner = new AgentRunner(Coder("read_file"), Options(AutonomyLevel.Supervised,
            (request, _) => ValueTask.FromResult(ApprovalDecision.Deny(request.ApprovalId, reason: "no answer"))));

        RunResult result = await runner.RunAsync("Show .env");

        result.Status.ShouldBe(RunStatus.Completed);
        _server.Requests[1].Body.ShouldContain("denied by the user");
        _server.Requests[1].Body.ShouldNotContain("sk-dotenv-denied-456");
    }

    [Fact]
    public async Task RunAsync_ReadFileOnDotEnvWithExplicitAllow_RunsWithoutAsking()
    {
        File.WriteAllText(Path.Combine(_workspace, ".env"), "PLAIN=visible-setting\n");
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("r1", "read_file", """{"path":".env"}""")), FakeTurn.Text("Read."));
        var options = new RunOptions { Autonomy = AutonomyLevel.Autonomous };
        options.ToolPermissions["read_file"] = ToolPermission.Allow;

        RunResult result = await new AgentRunner(Coder("read_file"), Options(AutonomyLevel.Supervised)).RunAsync("Show .env", options: options);

        result.Status.ShouldBe(RunStatus.Completed);
        result.Steps.Single(s => s.Kind == RunStepKind.ToolCall).Output.ShouldNotBeNull().ShouldContain("PLAIN=visible-setting");
    }

    [Fact]
    public async Task RunAsync_AlwaysAllowForReadFile_DoesNotCoverASecretFile()
    {
        File.WriteAllText(Path.Combine(_workspace, "notes.txt"), "hello\n");
        File.WriteAllText(Path.Combine(_workspace, "server.pem"), "-----BEGIN PRIVATE KEY-----\n");
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("r1", "read_file", """{"path":"notes.txt"}""")),
            FakeTurn.ToolCalls(new FakeToolCall("r2", "read_file", """{"path":"notes.txt"}""")),
            FakeTurn.ToolCalls(new FakeToolCall("r3", "read_file", """{"path":"server.pem"}""")),
            FakeTurn.Text("Done."));
        var asked = new List<ApprovalRequest>();
        var runner = new AgentRunner(Coder("read_file"), Options(AutonomyLevel.Manual, (request, _) =>
        {
            asked.Add(request);
            return ValueTask.FromResult(request.Escalated
                ? ApprovalDecision.Deny(request.ApprovalId, reason: "not the key")
                : ApprovalDecision.Approve(request.ApprovalId, always: true));
        }));

        RunResult result = await runner.RunAsync("Read things");

        result.Status.ShouldBe(RunStatus.Completed);
        asked.Select(a => a.CallId).ShouldBe(["r1", "r3"]);
        _server.Requests[3].Body.ShouldNotContain("BEGIN PRIVATE KEY");
    }
}
