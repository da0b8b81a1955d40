using Allos.Sessions;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Sessions;

public sealed class SessionExportTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 5, 6, 7, 8];

    private static readonly ChatMessage[] Messages =
    [
        new(ChatRole.Assistant, [new FunctionCallContent("call_1", "shot", new Dictionary<string, object?>())]),
        new(ChatRole.Tool, [new FunctionResultContent("call_1", new List<AIContent> { new TextContent("the page"), new DataContent(Png, "image/png") })]),
    ];

    [Fact]
    public void ToMarkdown_ToolResultWithAnImage_ShowsALineNotTheBytes()
    {
        string markdown = SessionExport.ToMarkdown(new SessionRecord { Id = "s" }, Messages);

        markdown.ShouldContain("the page\n[image: image/png, 12 bytes]");
        markdown.ShouldNotContain(Convert.ToBase64String(Png));
    }

    [Fact]
    public void ToJson_ToolResultWithAnImage_KeepsTheImage()
    {
        string json = SessionExport.ToJson(new SessionRecord { Id = "s" }, Messages);

        json.ShouldContain("data:image/png;base64," + Convert.ToBase64String(Png));
    }
}
