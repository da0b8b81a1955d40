using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class GlobToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = GlobTool.Create();

    public GlobToolTests()
    {
        _temp.Write("Program.cs", "");
        _temp.Write("src/a.cs", "");
        _temp.Write("src/b.json", "");
        _temp.Write("src/deep/c.cs", "");
        _temp.Write("src/obj/generated.cs", "");
        _temp.Write("bin/x.cs", "");
        _temp.Write("README.md", "");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_DoubleStar_MatchesAtAnyDepthSortedAndSkipsBuildFolders() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"**/*.cs"}""")).ShouldBe("Program.cs\nsrc/a.cs\nsrc/deep/c.cs\n");

    [Fact]
    public async Task Invoke_SingleStar_StaysInOneFolder() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"src/*.json"}""")).ShouldBe("src/b.json\n");

    [Fact]
    public async Task Invoke_WithPath_MatchesRelativeToItAndReturnsRootRelativePaths() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"*.cs","path":"src"}""")).ShouldBe("src/a.cs\n");

    [Fact]
    public async Task Invoke_Braces_MatchEitherAlternative() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"**/*.{md,json}"}""")).ShouldBe("README.md\nsrc/b.json\n");

    [Fact]
    public async Task Invoke_NoMatch_SaysSo() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"**/*.py"}""")).ShouldStartWith("No files match");

    [Fact]
    public async Task Invoke_ManyMatches_IsCappedWithACount()
    {
        for (int i = 0; i < GlobTool.MaxResults + 3; i++)
        {
            _temp.Write($"many/f{i:D4}.txt", "");
        }

        string result = await _temp.InvokeAsync(_tool, """{"pattern":"many/*.txt"}""");

        result.Split('\n').Count(line => line.StartsWith("many/", StringComparison.Ordinal)).ShouldBe(GlobTool.MaxResults);
        result.ShouldContain("[... 3 more files not shown (1,003 matched");
    }

    [Theory]
    [InlineData("../outside/*")]
    [InlineData("/etc/*")]
    public async Task Invoke_PatternLeavingThePath_IsRefused(string pattern) =>
        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, $$"""{"pattern":"{{pattern}}"}"""));

    [Fact]
    public async Task Invoke_PathOutside_IsRefused() =>
        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"pattern":"*","path":"../outside"}"""));

    [Fact]
    public async Task Invoke_DoesNotFollowLinksOutOfTheWorkspace()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.cs"), "");
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        (await _temp.InvokeAsync(_tool, """{"pattern":"**/*.cs"}""")).ShouldNotContain("secret");
    }

    [Fact]
    public async Task Invoke_FolderWithSpecialFiles_ReturnsOnlyRegularFiles()
    {
        string pipe = _temp.MakeFifo("src/pipe.cs");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "src/link.cs"), pipe);
        using System.Net.Sockets.Socket socket = _temp.BindSocket("src/sock.cs");

        (await _temp.InvokePromptlyAsync(_tool, """{"pattern":"**/*.cs"}""")).ShouldBe("Program.cs\nsrc/a.cs\nsrc/deep/c.cs\n");
    }
}
