using Allos.Mcp;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

// Sampling is deprecated from protocol 2026-07-28; these are the types servers on earlier versions send.
#pragma warning disable MCP9005

namespace Allos.Tests.Mcp;

public sealed class McpSamplingMessagesTests
{
    [Fact]
    public void ToChatMessages_SystemPromptTextAndImage_AreASystemMessageThenTheMessagesInTheirRoles()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        var request = new CreateMessageRequestParams
        {
            SystemPrompt = "You are terse.",
            MaxTokens = 50,
            Messages =
            [
                new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = "What is this?" }, ImageContentBlock.FromBytes(png, "image/png")] },
                new SamplingMessage { Role = Role.Assistant, Content = [new TextContentBlock { Text = "A header." }] },
                new SamplingMessage { Role = Role.User, Content = [AudioContentBlock.FromBytes(png, "audio/wav")] },
            ],
        };

        IReadOnlyList<ChatMessage> chat = McpSamplingMessages.ToChatMessages(request);

        chat.Select(message => message.Role).ShouldBe([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User]);
        chat[0].Text.ShouldBe("You are terse.");
        chat[1].Contents[0].ShouldBeOfType<TextContent>().Text.ShouldBe("What is this?");
        DataContent image = chat[1].Contents[1].ShouldBeOfType<DataContent>();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(png);
        chat[2].Text.ShouldBe("A header.");
        chat[3].Text.ShouldStartWith("[audio: audio/wav", customMessage: "what providers cannot be sent is described, not dropped");
    }

    [Fact]
    public void ToChatMessages_NoSystemPrompt_HasNoSystemMessage()
    {
        var request = new CreateMessageRequestParams { MaxTokens = 5, Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = "hi" }] }] };

        McpSamplingMessages.ToChatMessages(request).Single().Role.ShouldBe(ChatRole.User);
    }

    [Fact]
    public void ToOptions_Limits_AreTheRequestsAndTheModel()
    {
        var request = new CreateMessageRequestParams
        {
            MaxTokens = 77,
            Temperature = 0.25f,
            StopSequences = ["END"],
            IncludeContext = ContextInclusion.AllServers,
            Messages = [],
        };

        ChatOptions options = McpSamplingMessages.ToOptions(request, "openai/gpt-4o-mini");

        options.ModelId.ShouldBe("openai/gpt-4o-mini");
        options.MaxOutputTokens.ShouldBe(77);
        options.Temperature.ShouldBe(0.25f);
        options.StopSequences.ShouldBe(["END"]);
        options.Tools.ShouldBeNull("request-scoped tools and other servers' context are not offered");
    }

    [Fact]
    public void ToResult_TextAndImageAnswer_IsAnAssistantResultWithTheModelAndStopReason()
    {
        byte[] png = [1, 2, 3];
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent("Here it is."), new DataContent(png, "image/png")]))
        {
            ModelId = "gpt-4o-mini-2024-07-18",
            FinishReason = ChatFinishReason.Length,
        };

        CreateMessageResult result = McpSamplingMessages.ToResult(response, "openai/gpt-4o-mini");

        result.Role.ShouldBe(Role.Assistant);
        result.Content[0].ShouldBeOfType<TextContentBlock>().Text.ShouldBe("Here it is.");
        result.Content[1].ShouldBeOfType<ImageContentBlock>().DecodedData.ToArray().ShouldBe(png);
        result.Model.ShouldBe("gpt-4o-mini-2024-07-18", "the model that answered, as the provider names it");
        result.StopReason.ShouldBe("maxTokens");
    }

    [Fact]
    public void ToResult_NoModelIdInTheResponse_IsTheRequestedModel() =>
        McpSamplingMessages.ToResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")), "fast").Model.ShouldBe("fast");

    [Theory]
    [InlineData("stop", "endTurn")]
    [InlineData("length", "maxTokens")]
    [InlineData("stop_sequence", "stopSequence")]
    [InlineData("content_filter", "content_filter")]
    public void StopReason_FinishReasons_AreMcpStopReasons(string finish, string expected) =>
        McpSamplingMessages.StopReason(new ChatFinishReason(finish)).ShouldBe(expected);
}
