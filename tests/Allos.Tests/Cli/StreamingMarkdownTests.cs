using Allos.Cli.Output;

namespace Allos.Tests.Cli;

public sealed class StreamingMarkdownTests
{
    private const string Sample = "# Title\nSome **bold** and `code` here.\n- first\n  * nested\n```\nvar x = 1 * 2;\n```\n2 * 3 = 6\n";

    [Fact]
    public void Write_AnySplitIntoChunks_RendersTheSameAsWhole()
    {
        string whole = Render(Sample);
        for (int size = 1; size <= 7; size++)
        {
            var markdown = new StreamingMarkdown();
            string chunked = string.Concat(Sample.Chunk(size).Select(chunk => markdown.Write(new string(chunk)))) + markdown.Flush();
            chunked.ShouldBe(whole, $"chunks of {size}");
        }
    }

    [Fact]
    public void Write_Markers_BecomeStylesAndBullets()
    {
        string rendered = Render(Sample);

        rendered.ShouldContain("\u001b[1mTitle\u001b[0m\n");
        rendered.ShouldContain("Some \u001b[1mbold\u001b[0m and \u001b[36mcode\u001b[0m here.");
        rendered.ShouldContain("• first\n  • nested");
        rendered.ShouldContain("\u001b[36mvar x = 1 * 2;", customMessage: "a star inside a code block is text");
        rendered.ShouldContain("2 * 3 = 6");
    }

    [Fact]
    public void Write_PlainText_AppearsAtOnceWithoutWaitingForTheLineEnd()
    {
        var markdown = new StreamingMarkdown();

        markdown.Write("Hello, wor").ShouldBe("Hello, wor");
        markdown.Write("ld").ShouldBe("ld");
    }

    private static string Render(string text)
    {
        var markdown = new StreamingMarkdown();
        return markdown.Write(text) + markdown.Flush();
    }
}
