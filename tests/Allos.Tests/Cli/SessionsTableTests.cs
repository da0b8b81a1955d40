using Allos.Cli.Admin;

namespace Allos.Tests.Cli;

public sealed class SessionsTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(20, "just now")]
    [InlineData(60 * 5, "5m ago")]
    [InlineData(3600 * 3, "3h ago")]
    [InlineData(86400 * 2, "2d ago")]
    [InlineData(86400 * 30, "4w ago")]
    [InlineData(86400 * 800, "2y ago")]
    public void Age_Span_IsAtMostEightCharacters(int seconds, string expected)
    {
        string age = SessionsTable.Age(Now.AddSeconds(-seconds), Now);

        age.ShouldBe(expected);
        age.Length.ShouldBeLessThanOrEqualTo(8);
    }

    [Fact]
    public void Lines_LongValues_FitTheWidthAndCutTheTitleWithAnEllipsis()
    {
        SessionsTable.Row[] rows =
        [
            new("3f9a2b1c", true, new string('t', 200), "openrouter/anthropic/claude-sonnet-4-5", 1234.5m, Now.AddDays(-400)),
            new("0b1c2d3e", false, "short\ntitle", null, null, Now),
        ];

        string[] lines = [.. SessionsTable.Lines(rows, 80, Now)];

        lines.ShouldAllBe(line => line.Length <= 80);
        lines[1].ShouldStartWith("3f9a2b1c*");
        lines[1].ShouldContain("t…");
        lines[1].ShouldContain("openrouter/anthro…");
        lines[2].ShouldStartWith("0b1c2d3e ");
        lines[2].ShouldContain("short title");
        lines[2].ShouldContain("?");
        lines[^1].ShouldStartWith("* pinned");
        SessionsTable.Lines(rows, 120, Now).First(line => line.StartsWith("3f9a", StringComparison.Ordinal)).Length.ShouldBeGreaterThan(80, "a wider terminal gives the title more room");
    }

    [Fact]
    public void ShortIds_SharedStart_AreLengthenedUntilUnique()
    {
        string[] all = ["abcdef0123", "abcdef0199", "12345678zz", "notes"];

        Dictionary<string, string> shortIds = SessionLookup.ShortIds(all, all);

        shortIds["abcdef0123"].ShouldBe("abcdef012");
        shortIds["abcdef0199"].ShouldBe("abcdef019");
        shortIds["12345678zz"].ShouldBe("12345678");
        shortIds["notes"].ShouldBe("notes");
    }
}
