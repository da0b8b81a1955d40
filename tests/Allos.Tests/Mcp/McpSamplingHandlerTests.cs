using Allos.Mcp;
using Allos.Prompts;
using Allos.Tests.Shared;
using Allos.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

// Sampling is deprecated from protocol 2026-07-28; these are the types servers on earlier versions send.
#pragma warning disable MCP9005

namespace Allos.Tests.Mcp;

public sealed class McpSamplingHandlerTests
{
    private static readonly IProgress<ProgressNotificationValue> NoProgress = new Progress<ProgressNotificationValue>();

    private static CreateMessageRequestParams Request(params string[] hints) => new()
    {
        MaxTokens = 40,
        SystemPrompt = "Be brief.",
        Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = "Say hi" }] }],
        ModelPreferences = hints.Length == 0 ? null : new ModelPreferences { Hints = [.. hints.Select(hint => new ModelHint { Name = hint })] },
    };

    private static McpServerOptions Server(ToolPermission sampling, string? model = null) =>
        new() { Name = "everything", Command = "node", Sampling = sampling, SamplingModel = model };

    [Fact]
    public async Task HandleAsync_Allowed_SendsThroughTheClientTaggedAsTheServersSampling()
    {
        TestChatClient client = TestChatClient.Answering("hi there");
        var sampling = new McpSamplingOptions { ChatClient = client, Model = "run-model" };

        CreateMessageResult result = await new McpSamplingHandler(Server(ToolPermission.Allow), () => sampling).HandleAsync(Request(), NoProgress, CancellationToken.None);

        result.Content.Single().ShouldBeOfType<TextContentBlock>().Text.ShouldBe("hi there");
        result.Model.ShouldBe("run-model");
        (List<ChatMessage> messages, ChatOptions? options) = client.Calls.Single();
        messages.Select(message => message.Text).ShouldBe(["Be brief.", "Say hi"]);
        options!.ModelId.ShouldBe("run-model");
        options.MaxOutputTokens.ShouldBe(40);
        PromptChatOptions.ReadPrompt(options)!.Value.Name.ShouldBe("mcp__everything__sampling");
    }

    [Fact]
    public async Task HandleAsync_Ask_TheApprovalSeesTheRequestAndADenialIsARejectionWithTheReason()
    {
        TestChatClient client = TestChatClient.Answering("never");
        McpSamplingRequest? seen = null;
        var sampling = new McpSamplingOptions
        {
            ChatClient = client,
            Model = "run-model",
            Approval = (request, _) =>
            {
                seen = request;
                return ValueTask.FromResult(McpSamplingDecision.Deny("not now"));
            },
        };

        McpProtocolException error = await Should.ThrowAsync<McpProtocolException>(
            new McpSamplingHandler(Server(ToolPermission.Ask), () => sampling).HandleAsync(Request(), NoProgress, CancellationToken.None).AsTask());

        error.Message.ShouldBe("Sampling was refused: MCP server 'everything' was not allowed a model completion (not now).");
        error.ErrorCode.ShouldBe((McpErrorCode)(-1));
        client.Calls.ShouldBeEmpty();
        seen.ShouldNotBeNull();
        seen.Server.ShouldBe("everything");
        seen.SystemPrompt.ShouldBe("Be brief.");
        seen.MaxTokens.ShouldBe(40);
        seen.Model.ShouldBe("run-model");
        seen.Messages.Single().Text.ShouldBe("Say hi", "the system prompt is shown on its own");
    }

    [Fact]
    public async Task HandleAsync_AskWithoutApproval_IsRefusedSayingToAllowIt()
    {
        var sampling = new McpSamplingOptions { ChatClient = TestChatClient.Answering("never") };

        McpProtocolException error = await Should.ThrowAsync<McpProtocolException>(
            new McpSamplingHandler(Server(ToolPermission.Ask), () => sampling).HandleAsync(Request(), NoProgress, CancellationToken.None).AsTask());

        error.Message.ShouldContain("set sampling: allow for the server in allos.yaml");
    }

    [Fact]
    public async Task HandleAsync_ModelCallFails_IsAnInternalErrorNamingTheServerAndTheReason()
    {
        var sampling = new McpSamplingOptions { ChatClient = TestChatClient.Answering("x", fail: () => new ConfigurationException("no key for openai")) };

        McpProtocolException error = await Should.ThrowAsync<McpProtocolException>(
            new McpSamplingHandler(Server(ToolPermission.Allow), () => sampling).HandleAsync(Request(), NoProgress, CancellationToken.None).AsTask());

        error.ErrorCode.ShouldBe(McpErrorCode.InternalError);
        error.Message.ShouldBe("The model call for the sampling request of MCP server 'everything' failed: no key for openai");
    }

    [Fact]
    public void Model_ConfiguredModelWinsThenAKnownHintThenTheDefault()
    {
        var sampling = new McpSamplingOptions { ChatClient = TestChatClient.Answering("x"), Model = "run-model" };
        sampling.HintModels.Add("fast");
        var preferences = new ModelPreferences { Hints = [new ModelHint { Name = "claude-3-opus" }, new ModelHint { Name = "FAST" }] };

        new McpSamplingHandler(Server(ToolPermission.Allow, model: "pinned"), () => sampling).Model(sampling, preferences).ShouldBe("pinned");
        new McpSamplingHandler(Server(ToolPermission.Allow), () => sampling).Model(sampling, preferences).ShouldBe("fast", "the first hint the user listed");
        new McpSamplingHandler(Server(ToolPermission.Allow), () => sampling).Model(sampling, new ModelPreferences { Hints = [new ModelHint { Name = "claude-3-opus" }] })
            .ShouldBe("run-model", "a hint naming a model the user did not list is ignored");
    }
}
