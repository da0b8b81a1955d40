using Allos.Agents;
using Allos.Hosting;
using Allos.Models;
using Allos.Tests.Shared;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Agents;

/// <summary>The runner on the caller's pipeline: what it sends, what it adds (nothing), and where cost comes from.</summary>
public sealed class AgentRunnerPipelineTests
{
    private static readonly ModelCatalog TinyWindow = ModelCatalog.Default.With([new ModelInfo("openai/tiny-window", 2_000, 200)]);

    private static ToolRegistry Registry()
    {
        var registry = new ToolRegistry();
        registry.Add(AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers."));
        registry.Add(Tool.Create("save", "Saves.", """{"type":"object"}""", (_, _, _) => ValueTask.FromResult<object?>("saved"), ToolRisk.Writes));
        return registry;
    }

    private static List<ChatMessage> LongHistory()
    {
        List<ChatMessage> history = [];
        for (int i = 0; i < 40; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {i}: " + new string('x', 200)));
            history.Add(new ChatMessage(ChatRole.Assistant, $"Answer {i}: " + new string('y', 200)));
        }

        return history;
    }

    [Fact]
    public async Task RunAsync_SharedChatClient_NamesEachAgentsModelInTheRequest()
    {
        TestChatClient client = TestChatClient.Replying("Handing over.", "Done.");
        var calls = 0;
        client.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(++calls == 1
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("h1", "transfer_to_expert", new Dictionary<string, object?> { ["reason"] = "hard" })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done.")));
        AgentDefinition triage = new() { Name = "triage", Model = "fast", Handoffs = ["expert"] };
        AgentDefinition expert = new() { Name = "expert", Model = "anthropic/claude-sonnet-4-5" };
        var runner = new AgentRunner([triage, expert], "triage", new AgentRunnerOptions { ChatClient = client, Streaming = false });

        RunResult result = await runner.RunAsync("Help");

        result.Status.ShouldBe(RunStatus.Completed);
        client.Calls.Select(c => c.Options?.ModelId).ShouldBe(["fast", "anthropic/claude-sonnet-4-5"]);
    }

    [Fact]
    public async Task RunAsync_SharedChatClientAndNoModelAnywhere_LetsThePipelineChoose()
    {
        TestChatClient client = TestChatClient.Replying("Hello.");
        var runner = new AgentRunner(new AgentDefinition { Name = "plain" }, new AgentRunnerOptions { ChatClient = client });

        RunResult result = await runner.RunAsync("Hi");

        result.Status.ShouldBe(RunStatus.Completed);
        result.Text.ShouldBe("Hello.");
        client.Calls.ShouldHaveSingleItem().Options!.ModelId.ShouldBeNull();
    }

    [Fact]
    public async Task RunAsync_SharedChatClient_IsUsedAsGivenWithNoContextWindowAdded()
    {
        TestChatClient client = TestChatClient.Replying("fits");
        var options = new AgentRunnerOptions { ChatClient = client, Models = TinyWindow };
        List<ChatMessage> history = LongHistory();

        await new AgentRunner(new AgentDefinition { Name = "a", Model = "openai/tiny-window" }, options).RunAsync("Last question?", history);

        // The whole history reaches the caller's pipeline: fitting it is the pipeline's job (UseContextWindow).
        client.Calls.ShouldHaveSingleItem().Messages.Count.ShouldBe(history.Count + 1);
    }

    [Fact]
    public async Task RunAsync_ChatClientFactory_IsUsedAsGivenWithNoContextWindowAdded()
    {
        TestChatClient client = TestChatClient.Replying("fits");
        var options = new AgentRunnerOptions { ChatClientFactory = _ => client, Models = TinyWindow };
        List<ChatMessage> history = LongHistory();

        await new AgentRunner(new AgentDefinition { Name = "a", Model = "openai/tiny-window" }, options).RunAsync("Last question?", history);

        client.Calls.ShouldHaveSingleItem().Messages.Count.ShouldBe(history.Count + 1);
    }

    [Fact]
    public async Task Create_FactoryOverAPipeline_FitsEachModelToItsWindowAndNamesTheModel()
    {
        TestChatClient client = TestChatClient.Replying("fits");
        var factory = new AgentRunnerFactory(client, new ToolRegistry());
        List<ChatMessage> history = LongHistory();

        AgentRunner runner = factory.Create(new AgentDefinition { Name = "a", Model = "openai/tiny-window" }, options => options.Models = TinyWindow);
        await runner.RunAsync("Last question?", history);

        (List<ChatMessage> sent, ChatOptions? sentOptions) = client.Calls.ShouldHaveSingleItem();
        sent.Count.ShouldBeLessThan(history.Count / 2);
        sent[^1].Text.ShouldBe("Last question?");
        sentOptions!.ModelId.ShouldBe("openai/tiny-window");
    }

    [Fact]
    public async Task Create_FactoryOverAPipelineThatKnowsTheAliasWindow_FitsToIt()
    {
        TestChatClient client = TestChatClient.Replying("fits");
        using var pipeline = new LimitsByModelChatClient(client, "fast", new ModelInfo("openai/tiny-window", 2_000, 200));
        var factory = new AgentRunnerFactory(pipeline, new ToolRegistry());
        List<ChatMessage> history = LongHistory();

        // "fast" is in no catalog: without the pipeline's answer the window would be the catalog's default for unknown models.
        await factory.Create(new AgentDefinition { Name = "a", Model = "fast" }).RunAsync("Last question?", history);

        (List<ChatMessage> sent, ChatOptions? sentOptions) = client.Calls.ShouldHaveSingleItem();
        sent.Count.ShouldBeLessThan(history.Count / 2);
        sentOptions!.ModelId.ShouldBe("fast");
    }

    [Fact]
    public async Task RunAsync_PipelineAsksForApprovalOfItsOwnTool_FailsSayingWhereTheToolBelongs()
    {
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
                [new ToolApprovalRequestContent("r1", new FunctionCallContent("c1", "deploy"))]))),
        };
        var runner = new AgentRunner(new AgentDefinition { Name = "a" }, new AgentRunnerOptions { ChatClient = client });

        RunResult result = await runner.RunAsync("Deploy");

        result.Status.ShouldBe(RunStatus.Failed);
        result.Error.ShouldBeOfType<ConfigurationException>().Message.ShouldContain("'deploy'");
        result.Error.Message.ShouldContain("AgentDefinition.Tools");
    }

    [Fact]
    public void Constructor_ChatClientAndFactoryBoth_IsAConfigurationErrorSayingWhichToKeep()
    {
        TestChatClient client = TestChatClient.Replying();

        ConfigurationException error = Should.Throw<ConfigurationException>(() =>
            new AgentRunner(new AgentDefinition { Name = "a" }, new AgentRunnerOptions { ChatClient = client, ChatClientFactory = _ => client }));

        error.Message.ShouldContain("ChatClient");
        error.Message.ShouldContain("ChatClientFactory");
    }

    [Fact]
    public async Task RunAsync_CostOnTheResponse_WinsOverTheCatalogPrice()
    {
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
            {
                var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
                {
                    Usage = new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 0 },
                };
                ResponseCost.Set(response, 0.25m);
                return Task.FromResult(response);
            },
        };
        var runner = new AgentRunner(new AgentDefinition { Name = "a", Model = "openai/gpt-4o-mini" }, new AgentRunnerOptions { ChatClient = client });

        RunResult result = await runner.RunAsync("Hi");

        result.Cost.ShouldBe(0.25m);
    }

    [Fact]
    public async Task RunAsync_NoCostOnTheResponse_IsPricedByTheCatalog()
    {
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                Usage = new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 0 },
            }),
        };
        var runner = new AgentRunner(new AgentDefinition { Name = "a", Model = "openai/gpt-4o-mini" }, new AgentRunnerOptions { ChatClient = client });

        RunResult result = await runner.RunAsync("Hi");

        result.Cost.ShouldBe(CostCalculator.Cost(ModelCatalog.Default.Get("openai/gpt-4o-mini"), new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 0 }));
        result.Cost.ShouldNotBe(0.25m);
    }

    [Fact]
    public async Task RunAsync_ToolsAreDeclaredToThePipeline_AsDeclarationsOnly()
    {
        TestChatClient client = TestChatClient.Replying("ok");
        var runner = new AgentRunner(new AgentDefinition { Name = "a", Tools = ["add", "save"] }, new AgentRunnerOptions { ChatClient = client, Tools = Registry() });

        await runner.RunAsync("Hi");

        // Neither invocable nor marked approval-required: a function invoker in the pipeline hands every call back as it is.
        IList<AITool> declared = client.Calls.ShouldHaveSingleItem().Options!.Tools!;
        declared.Select(t => t.Name).ShouldBe(["add", "save"]);
        declared.ShouldAllBe(t => t is AIFunctionDeclaration && !(t is AIFunction) && t.GetService(typeof(ApprovalRequiredAIFunction), null) == null);
    }

    /// <summary>A pipeline serving several models that tells one model's limits when asked with the model id as the key.</summary>
    private sealed class LimitsByModelChatClient(IChatClient inner, string model, ModelInfo limits) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ModelInfo) && Equals(serviceKey, model) ? limits : base.GetService(serviceType, serviceKey);
    }
}
