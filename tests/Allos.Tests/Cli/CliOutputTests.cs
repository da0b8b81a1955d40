using Allos.Agents;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Tools;

namespace Allos.Tests.Cli;

public sealed class CliOutputTests
{
    [Theory]
    [InlineData("Authorization", "Bearer sk-live-123", "Bearer ***")]
    [InlineData("x-api-key", "sk-ant-123", "***")]
    [InlineData("x-goog-api-key", "AIza123", "***")]
    [InlineData("api-key", "azure-key", "***")]
    [InlineData("User-Agent", "allos/0.1", "allos/0.1")]
    public void Mask_SecretHeaders_AreHidden(string header, string value, string expected) =>
        RequestLogHandler.Mask(header, value).ShouldBe(expected);

    [Fact]
    public void MaskUrl_KeyInQuery_IsHidden() =>
        RequestLogHandler.MaskUrl(new Uri("https://example.test/v1/models/x:generate?alt=sse&key=AIza-secret")).ShouldBe("https://example.test/v1/models/x:generate?alt=sse&key=***");

    [Fact]
    public void Lines_ChangedLine_IsAUnifiedHunkWithContext()
    {
        IReadOnlyList<string> lines = DiffPreview.Lines("a\nb\nc\nd\n", "a\nb\nC\nd\n");

        lines.ShouldBe(["@@ -1,4 +1,4 @@", " a", " b", "-c", "+C", " d"]);
    }

    [Fact]
    public void Lines_NewFile_IsAllAdded() => DiffPreview.Lines("", "x\ny").ShouldBe(["@@ -0,0 +1,2 @@", "+x", "+y"]);

    [Fact]
    public void Shorten_LongValue_KeepsTheStartAndSaysHowMuchIsLeft()
    {
        string shortened = ApprovalPrompt.Shorten(new string('x', 1000));

        shortened.Length.ShouldBeLessThan(220);
        shortened.ShouldEndWith("(+840 chars)");
    }

    [Theory]
    [InlineData("""{"path":"src/a.cs","content":"..."}""", "src/a.cs")]
    [InlineData("""{"command":"dotnet test"}""", "dotnet test")]
    [InlineData("not json", "")]
    public void Summary_PicksTheTellingArgument(string arguments, string expected) => TurnRenderer.Summary(arguments).ShouldBe(expected);

    [Theory]
    [InlineData(ToolCallOutcome.Ok, "Exit code: 0\n--- stdout ---\nfine\n", "  ✓ shell ls (5 ms)")]
    [InlineData(ToolCallOutcome.Ok, "Exit code: 2\n--- stdout ---\n(empty)\n", "  ✗ shell ls (5 ms) — exit 2")]
    [InlineData(ToolCallOutcome.Ok, "URL: https://x.test/\nStatus: 404 Not Found\nContent-Type: text/html\n", "  ✗ shell ls (5 ms) — HTTP 404 Not Found")]
    [InlineData(ToolCallOutcome.Ok, "URL: https://x.test/\nStatus: 200 OK\n", "  ✓ shell ls (5 ms)")]
    [InlineData(ToolCallOutcome.Ok, "Error: no such file\nmore", "  ✗ shell ls (5 ms) — Error: no such file")]
    [InlineData(ToolCallOutcome.Error, "Error: boom", "  ✗ shell ls (5 ms) — Error: boom")]
    [InlineData(ToolCallOutcome.Denied, "Error: denied", "  ⊘ denied shell ls (5 ms)")]
    public void ToolLine_FailedResults_AreNeverATick(ToolCallOutcome outcome, string output, string expected) =>
        TurnRenderer.ToolLine(new ToolCallCompletedEvent("a", "c1", "shell", """{"command":"ls"}""", outcome, output, TimeSpan.FromMilliseconds(5))).ShouldBe(expected);

    [Theory]
    [InlineData(2d, 5d, "copying a.txt", "mcp__files__copy 2/5 copying a.txt")]
    [InlineData(40d, null, null, "mcp__files__copy 40")]
    [InlineData(0.5d, 1d, "line one\nline two", "mcp__files__copy 0.5/1 line one line two")]
    public void ProgressLabel_ServersProgress_IsOneLineWithTheAmountAndMessage(double progress, double? total, string? message, string expected) =>
        TurnRenderer.ProgressLabel(new ToolCallProgressEvent("a", "c1", "mcp__files__copy", new ToolProgress(progress, total, message))).ShouldBe(expected);
}
