using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class WriteFileToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = WriteFileTool.Create();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_NewFileInNewFolders_CreatesThemAndReportsBytes()
    {
        string result = await _temp.InvokeAsync(_tool, """{"path":"src/deep/a.txt","content":"héllo\n"}""");

        result.ShouldBe("Wrote 7 bytes to src/deep/a.txt");
        _temp.Read("src/deep/a.txt").ShouldBe("héllo\n");
    }

    [Fact]
    public async Task Invoke_ExistingFile_IsOverwritten()
    {
        _temp.Write("a.txt", "old content that is longer");

        await _temp.InvokeAsync(_tool, """{"path":"a.txt","content":"new"}""");

        _temp.Read("a.txt").ShouldBe("new");
    }

    [Fact]
    public async Task Invoke_EmptyContent_WritesAnEmptyFile()
    {
        (await _temp.InvokeAsync(_tool, """{"path":"empty.txt","content":""}""")).ShouldBe("Wrote 0 bytes to empty.txt");

        File.Exists(Path.Combine(_temp.RootPath, "empty.txt")).ShouldBeTrue();
    }

    [Fact]
    public async Task Invoke_Directory_IsAnError()
    {
        Directory.CreateDirectory(Path.Combine(_temp.RootPath, "src"));

        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"src","content":"x"}"""));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("../outside/escape.txt")]
    public async Task Invoke_PathOutside_IsRefusedAndNothingIsWritten(string path)
    {
        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, $$"""{"path":"{{path}}","content":"x"}"""));

        Directory.EnumerateFiles(_temp.Base, "escape.txt", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Invoke_ThroughADirectoryLinkPointingOutside_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"out/new.txt","content":"x"}"""));

        File.Exists(Path.Combine(_temp.OutsidePath, "new.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Invoke_ThroughAFileLinkPointingOutside_IsRefusedAndTheTargetIsUntouched()
    {
        string target = Path.Combine(_temp.OutsidePath, "victim.txt");
        File.WriteAllText(target, "original");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), target);

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"link.txt","content":"pwned"}"""));

        File.ReadAllText(target).ShouldBe("original");
    }

    [Fact]
    public async Task Invoke_ThroughADanglingLinkPointingOutside_IsRefused()
    {
        string target = Path.Combine(_temp.OutsidePath, "created.txt");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), target);

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"link.txt","content":"x"}"""));

        File.Exists(target).ShouldBeFalse();
    }

    [Fact]
    public async Task Invoke_ThroughALinkPointingInside_WritesTheTarget()
    {
        _temp.Write("real.txt", "old");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "alias.txt"), Path.Combine(_temp.RootPath, "real.txt"));

        (await _temp.InvokeAsync(_tool, """{"path":"alias.txt","content":"new"}""")).ShouldBe("Wrote 3 bytes to real.txt");

        _temp.Read("real.txt").ShouldBe("new");
    }

    [Fact]
    public async Task Invoke_NamedPipe_IsRefusedWithoutOpeningIt()
    {
        _temp.MakeFifo("pipe");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"path":"pipe","content":"x"}""")))
            .Message.ShouldBe("'pipe' is not a regular file (it is a named pipe); write_file only works on regular files.");
    }
}
