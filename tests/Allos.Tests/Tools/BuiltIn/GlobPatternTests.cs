using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*.cs", "a.cs", true)]
    [InlineData("*.cs", "src/a.cs", false)]
    [InlineData("**/*.cs", "a.cs", true)]
    [InlineData("**/*.cs", "src/deep/a.cs", true)]
    [InlineData("src/**", "src/deep/a.cs", true)]
    [InlineData("src/**/test/*.cs", "src/test/a.cs", true)]
    [InlineData("src/**/test/*.cs", "src/x/y/test/a.cs", true)]
    [InlineData("a?.txt", "ab.txt", true)]
    [InlineData("a?.txt", "a/.txt", false)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[!ab].txt", "b.txt", false)]
    [InlineData("[!ab].txt", "c.txt", true)]
    [InlineData("*.{cs,json}", "x.json", true)]
    [InlineData("*.{cs,json}", "x.md", false)]
    [InlineData("./src/*.cs", "src/a.cs", true)]
    [InlineData("a+b(1).txt", "a+b(1).txt", true)]
    public void IsMatch_MatchesGlobSemantics(string pattern, string path, bool expected) =>
        GlobPattern.Parse(pattern).IsMatch(path).ShouldBe(expected);

    [Theory]
    [InlineData("*.cs", "src/deep/a.cs", true)]
    [InlineData("src/*.cs", "src/a.cs", true)]
    [InlineData("src/*.cs", "lib/src/a.cs", false)]
    public void IsMatchFileOrPath_WithoutSlash_MatchesTheFileName(string pattern, string path, bool expected) =>
        GlobPattern.Parse(pattern).IsMatchFileOrPath(path).ShouldBe(expected);
}
