using Allos.Agents;
using Allos.Tools;

namespace Allos.IntegrationTests.Agents;

/// <summary>Agents on a caller's Microsoft.Extensions.AI pipeline, and Allos tools handed to MEAI's own function invoker.</summary>
public sealed class AgentPipelineTests : IAsyncLifetime, IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("allos-pipeline-").FullName;
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private List<string> Notes { get; } = [];

    private Tool SaveNote() => Tool.Create("save_note", "Saves a note.", """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""", (args, _, _) =>
    {
        lock (Notes)
        {
            Notes.Add(args.GetProperty("text").GetString()!);
        }

        return ValueTask.FromResult<object?>("saved");
    }, ToolRisk.Writes);

    [Theory]
    [InlineData("openai/gpt-4o-mini")]
    [InlineData("anthropic/claude-sonnet-4-5")]
    [InlineData("gemini/gemini-2.5-flash")]
    [InlineData("ollama/llama3.1")]
    public async Task RunAsync_PipelineWithFunctionInvocation_ToolsStillAskAndRunOnlyThroughTheRunner(string model)
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("n1", "save_note", """{"text":"keep me"}""")).WithUsage(10, 5),
            FakeTurn.Text("Saved.").WithUsage(20, 3));
        IChatClient pipeline = new ChatClientBuilder(_server.CreateClient(model))
            .UseFunctionInvocation()
            .UseOpenTelemetry(sourceName: "Allos.Tests")
            .Build();
        var registry = new ToolRegistry();
        registry.Add(SaveNote());
        var options = new AgentRunnerOptions { ChatClient = pipeline, Tools = registry, Workspace = new Workspace(_workspace) };
        AgentDefinition agent = new() { Name = "notes", Tools = ["save_note"] };

        RunResult paused = await new AgentRunner(agent, options).RunAsync("Save 'keep me'.");

        // The function invoker handed the call back: nothing ran before the user was asked.
        paused.Status.ShouldBe(RunStatus.AwaitingApproval);
        paused.PendingApprovals.ShouldHaveSingleItem().ToolName.ShouldBe("save_note");
        Notes.ShouldBeEmpty();
        _server.Requests.Count.ShouldBe(1);

        RunResult resumed = await new AgentRunner(agent, options).ResumeAsync(paused.State!, [ApprovalDecision.Approve(paused.PendingApprovals[0].ApprovalId)]);

        resumed.Status.ShouldBe(RunStatus.Completed);
        resumed.Text.ShouldBe("Saved.");
        Notes.ShouldBe(["keep me"]);
        resumed.Usage.InputTokenCount.ShouldBe(30);
        _server.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task FunctionInvokingChatClient_GivenAnAllosWriteTool_AsksForApprovalInsteadOfRunningIt()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("n1", "save_note", """{"text":"not yet"}""")));
        using IChatClient pipeline = new ChatClientBuilder(_server.CreateClient("openai/gpt-4o-mini")).UseFunctionInvocation().Build();

        ChatResponse response = await pipeline.GetResponseAsync("Save 'not yet'.", new ChatOptions { Tools = [SaveNote()] });

        ToolApprovalRequestContent request = response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().ShouldHaveSingleItem();
        request.ToolCall.ShouldBeOfType<FunctionCallContent>().Name.ShouldBe("save_note");
        Notes.ShouldBeEmpty();
        _server.Requests.Count.ShouldBe(1);
    }
}
