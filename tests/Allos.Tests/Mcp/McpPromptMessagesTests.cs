using Allos.Mcp;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Allos.Tests.Mcp;

public sealed class McpPromptMessagesTests
{
    [Fact]
    public void ToChatMessages_RolesAndConsecutiveMessagesOfOneRole_AreKeptAndJoined()
    {
        PromptMessage[] messages =
        [
            new() { Role = Role.User, Content = new TextContentBlock { Text = "Look at this:" } },
            new() { Role = Role.User, Content = new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "demo://a", Text = "the resource" } } },
            new() { Role = Role.Assistant, Content = new TextContentBlock { Text = "Seen." } },
        ];

        IReadOnlyList<ChatMessage> chat = McpPromptMessages.ToChatMessages(messages);

        chat.Select(message => message.Role).ShouldBe([ChatRole.User, ChatRole.Assistant]);
        chat[0].Text.ShouldBe("Look at this:\n\nthe resource");
        chat[1].Text.ShouldBe("Seen.");
    }

    [Fact]
    public void ToChatMessages_ImageAndImageBlob_AreDataContentOtherBlobsAreDescribed()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        PromptMessage[] messages =
        [
            new() { Role = Role.User, Content = ImageContentBlock.FromBytes(png, "image/png") },
            new() { Role = Role.User, Content = new EmbeddedResourceBlock { Resource = BlobResourceContents.FromBytes(png, "demo://b.png", "image/png") } },
            new() { Role = Role.User, Content = new EmbeddedResourceBlock { Resource = BlobResourceContents.FromBytes(png, "demo://b.bin", "application/octet-stream") } },
        ];

        IList<AIContent> contents = McpPromptMessages.ToChatMessages(messages).Single().Contents;

        contents.Count.ShouldBe(3);
        DataContent image = contents[0].ShouldBeOfType<DataContent>();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(png);
        contents[1].ShouldBeOfType<DataContent>().MediaType.ShouldBe("image/png");
        contents[2].ShouldBeOfType<TextContent>().Text.ShouldBe("[binary resource demo://b.bin: application/octet-stream, 4 bytes]");
    }
}
