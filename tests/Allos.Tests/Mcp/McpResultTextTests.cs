using System.Text;
using System.Text.Json;
using Allos.Mcp;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Allos.Tests.Mcp;

public sealed class McpResultTextTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 8, 7];

    [Fact]
    public void Contents_NoImage_IsTheTextOfOf()
    {
        var result = new CallToolResult
        {
            Content = [new TextContentBlock { Text = "one" }, new AudioContentBlock { Data = Encoding.UTF8.GetBytes("AAAA"), MimeType = "audio/wav" }],
            StructuredContent = JsonDocument.Parse("""{"n":1}""").RootElement,
        };

        object contents = McpResultText.Contents(result);

        contents.ShouldBe("one\n[audio: audio/wav, 3 bytes]\n{\"n\":1}");
        contents.ShouldBe(McpResultText.Of(result));
    }

    [Fact]
    public void Contents_TextImageAndStructured_KeepsTheOrderAndTheDecodedBytes()
    {
        var result = new CallToolResult
        {
            Content = [new TextContentBlock { Text = "Here is the picture:" }, ImageContentBlock.FromBytes(Png, "image/png"), new TextContentBlock { Text = "after" }, new TextContentBlock { Text = "more" }],
            StructuredContent = JsonDocument.Parse("""{"ok":true}""").RootElement,
        };

        List<AIContent> contents = McpResultText.Contents(result).ShouldBeOfType<List<AIContent>>();

        contents.Count.ShouldBe(3);
        contents[0].ShouldBeOfType<TextContent>().Text.ShouldBe("Here is the picture:");
        DataContent image = contents[1].ShouldBeOfType<DataContent>();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(Png);
        contents[2].ShouldBeOfType<TextContent>().Text.ShouldBe("after\nmore\n{\"ok\":true}");
    }

    [Fact]
    public void Of_Image_IsDescribedByALine()
    {
        var result = new CallToolResult { Content = [ImageContentBlock.FromBytes(Png, "image/png")] };

        McpResultText.Of(result).ShouldBe("[image: image/png, 11 bytes]");
    }

    [Fact]
    public void Contents_ImageThatIsNotBase64_IsALineSayingSo()
    {
        var result = new CallToolResult { Content = [new ImageContentBlock { Data = Encoding.UTF8.GetBytes("not base64!"), MimeType = "image/png" }, ImageContentBlock.FromBytes(Png, "image/gif")] };

        List<AIContent> contents = McpResultText.Contents(result).ShouldBeOfType<List<AIContent>>();

        contents[0].ShouldBeOfType<TextContent>().Text.ShouldBe("[image: image/png; the server sent data that is not valid base64]");
        contents[1].ShouldBeOfType<DataContent>().MediaType.ShouldBe("image/gif");
    }
}
