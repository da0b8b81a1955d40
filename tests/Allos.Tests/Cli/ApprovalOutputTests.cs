using Allos.Cli.Commands;
using Allos.Cli.Output;

namespace Allos.Tests.Cli;

public sealed class ApprovalOutputTests
{
    [Fact]
    public void Lines_TwoChangesFarApart_AreTwoHunksWithThreeLinesOfContextEach()
    {
        string before = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n";
        string after = before.Replace("line 2\n", "line two\n", StringComparison.Ordinal).Replace("line 18\n", "line eighteen\n", StringComparison.Ordinal);

        IReadOnlyList<string> lines = DiffPreview.Lines(before, after);

        lines.ShouldBe([
            "@@ -1,5 +1,5 @@", " line 1", "-line 2", "+line two", " line 3", " line 4", " line 5",
            "@@ -15,6 +15,6 @@", " line 15", " line 16", " line 17", "-line 18", "+line eighteen", " line 19", " line 20",
        ]);
    }

    [Fact]
    public void Lines_InsertedLine_KeepsTheLinesAroundItAsContext()
    {
        IReadOnlyList<string> lines = DiffPreview.Lines("a\nb\nc\n", "a\nb\nnew\nc\n");

        lines.ShouldBe(["@@ -1,3 +1,4 @@", " a", " b", "+new", " c"]);
    }

    [Fact]
    public void Lines_SameText_SaysNoChange() => DiffPreview.Lines("a\nb\n", "a\nb\n").ShouldBe(["(no change)"]);

    [Fact]
    public void Paint_ColoursRemovedAddedAndHeaderLinesOnly()
    {
        DiffPreview.Paint("-old").ShouldBe("\u001b[31m-old\u001b[0m");
        DiffPreview.Paint("+new").ShouldBe("\u001b[32m+new\u001b[0m");
        DiffPreview.Paint("@@ -1 +1 @@").ShouldStartWith("\u001b[36m");
        DiffPreview.Paint(" same").ShouldBe(" same");
    }

    [Theory]
    [InlineData("y", 'y', null)]
    [InlineData("YES", 'y', null)]
    [InlineData("", 'n', null)]
    [InlineData("a", 'a', null)]
    [InlineData("d", 'd', null)]
    [InlineData("n: use the tests folder instead", 'n', "use the tests folder instead")]
    [InlineData("no use the tests folder", 'n', "use the tests folder")]
    [InlineData("t: ask me first", 'n', "ask me first")]
    public void Parse_LineAnswers_AreUnderstood(string line, char kind, string? note)
    {
        ApprovalPrompt.Answer answer = ApprovalPrompt.Parse(line);

        answer.Kind.ShouldBe(kind);
        answer.Note.ShouldBe(note);
        answer.Invalid.ShouldBeNull();
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("yy")]
    [InlineData("x: something")]
    public void Parse_AnythingElse_IsInvalidAndKeepsTheText(string line) => ApprovalPrompt.Parse(line).Invalid.ShouldBe(line);

    [Fact]
    public void Parse_EndOfInput_IsNoAnswer() => ApprovalPrompt.Parse(null).Kind.ShouldBe('\0');

    [Fact]
    public void Attach_PipedText_FollowsTheTaskInAFenceLongerThanAnyInside()
    {
        string message = RunCommand.Attach("summarize this", "see ```code``` and ````more````\n");

        message.ShouldBe("summarize this\n\n`````\nsee ```code``` and ````more````\n`````");
    }

    [Theory]
    [InlineData("No API key for openai: set OPENAI_API_KEY, or pass ChatClientOptions.ApiKey.", "No API key for openai: set OPENAI_API_KEY.")]
    [InlineData("Unknown provider 'foo' in model id 'foo/bar'. Known providers: openai. Register your own with ProviderRegistry.Register, or set AI_PROVIDER to send the whole id to one provider.",
        "Unknown provider 'foo' in model id 'foo/bar'. Known providers: openai. `allos providers` lists them; set AI_PROVIDER to send the whole id to one provider.")]
    [InlineData("The request names no model. Set ChatOptions.ModelId to an alias or model id, use Router.For(alias), or set RouterOptions.DefaultModel.",
        "The request names no model. Pass --model, or set default_model in allos.yaml.")]
    public void Message_LibraryAdvice_IsSaidInCliTerms(string library, string cli) =>
        ErrorReport.Message(new ConfigurationException(library)).ShouldBe(cli);

    [Fact]
    public void RetryNotice_RateLimit_SaysSoWithTheWaitInSeconds() =>
        RetryNotice.Text(new RateLimitException("openai", "slow down", TimeSpan.FromSeconds(6)), TimeSpan.FromSeconds(5.2)).ShouldBe("rate limited, retrying in 6 s");
}
