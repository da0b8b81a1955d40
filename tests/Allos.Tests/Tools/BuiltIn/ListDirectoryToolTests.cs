using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class ListDirectoryToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = ListDirectoryTool.Create();

    public ListDirectoryToolTests()
    {
        _temp.Write("b.txt", "");
        _temp.Write("a.txt", "");
        _temp.Write("src/main.cs", "");
        _temp.Write("src/lib/util.cs", "");
        _temp.Write(".git/HEAD", "");
        _temp.Write("bin/app.dll", "");
        _temp.Write("obj/cache", "");
        _temp.Write("node_modules/x/index.js", "");
        _temp.Write("src/obj/deep.cs", "");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_Root_ListsSortedEntriesWithFolderSlashesAndSkipsToolingFolders()
    {
        string result = await _temp.InvokeAsync(_tool, "{}");

        result.ShouldBe("a.txt\nb.txt\nsrc/\n");
    }

    [Fact]
    public async Task Invoke_Recursive_ListsEverythingBelowExceptSkippedFolders()
    {
        string result = await _temp.InvokeAsync(_tool, """{"recursive":true}""");

        result.ShouldBe("a.txt\nb.txt\nsrc/\nsrc/lib/\nsrc/lib/util.cs\nsrc/main.cs\n");
    }

    [Fact]
    public async Task Invoke_Subfolder_ListsPathsRelativeToTheRoot() =>
        (await _temp.InvokeAsync(_tool, """{"path":"src"}""")).ShouldBe("src/lib/\nsrc/main.cs\n");

    [Fact]
    public async Task Invoke_SkippedFolderNamedExplicitly_IsListed() =>
        (await _temp.InvokeAsync(_tool, """{"path":"bin"}""")).ShouldBe("bin/app.dll\n");

    [Fact]
    public async Task Invoke_ManyEntries_IsCappedWithAMarker()
    {
        for (int i = 0; i < ListDirectoryTool.MaxEntries + 5; i++)
        {
            _temp.Write($"many/f{i:D4}.txt", "");
        }

        string result = await _temp.InvokeAsync(_tool, """{"path":"many"}""");

        result.Split('\n').Count(line => line.StartsWith("many/", StringComparison.Ordinal)).ShouldBe(ListDirectoryTool.MaxEntries);
        result.ShouldContain("[... more entries not shown");
    }

    [Fact]
    public async Task Invoke_EmptyFolder_SaysItIsEmpty()
    {
        Directory.CreateDirectory(Path.Combine(_temp.RootPath, "empty"));

        (await _temp.InvokeAsync(_tool, """{"path":"empty"}""")).ShouldContain("is empty");
    }

    [Fact]
    public async Task Invoke_File_IsAnError() =>
        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"a.txt"}"""));

    [Fact]
    public async Task Invoke_MissingFolder_IsAnError() =>
        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"nope"}"""));

    [Fact]
    public async Task Invoke_Outside_IsRefused() =>
        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":".."}"""));

    [Fact]
    public async Task Invoke_RecursiveWithALinkPointingOutside_ShowsTheLinkButDoesNotEnterIt()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "");
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        string result = await _temp.InvokeAsync(_tool, """{"recursive":true}""");

        result.ShouldContain("out/\n");
        result.ShouldNotContain("secret");
    }

    [Fact]
    public async Task Invoke_SpecialFiles_AreListedWithTheirKindWithoutOpeningThem()
    {
        string pipe = _temp.MakeFifo("src/pipe");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "src/link"), pipe);
        using System.Net.Sockets.Socket socket = _temp.BindSocket("src/sock");

        (await _temp.InvokePromptlyAsync(_tool, """{"path":"src"}"""))
            .ShouldBe("src/lib/\nsrc/link [named pipe]\nsrc/main.cs\nsrc/pipe [named pipe]\nsrc/sock [socket]\n");
    }
}
