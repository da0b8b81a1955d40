using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class ReadFileToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = ReadFileTool.Create();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(".env", true)]
    [InlineData("config/.env.production", true)]
    [InlineData("keys/deploy.pem", true)]
    [InlineData("notes.txt", false)]
    [InlineData(".env.example", false)]
    public void ApprovalCheck_SecretFile_AsksWithAReason(string path, bool asks)
    {
        string? reason = _tool.ApprovalCheck.ShouldNotBeNull()(new ToolApprovalContext
        {
            ToolName = "read_file",
            Arguments = System.Text.Json.JsonDocument.Parse($$"""{"path":"{{path}}"}""").RootElement,
            Workspace = _temp.Workspace,
        });

        (reason is not null).ShouldBe(asks);
        if (asks)
        {
            reason.ShouldBe($"'read_file' reads {path}, a file that usually holds secrets (keys, passwords, tokens)");
        }
    }

    [Fact]
    public void ApprovalCheck_LinkToASecretFile_AsksToo()
    {
        string target = _temp.Write(".env", "KEY=value-value\n");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "innocent.txt"), target);

        string? reason = _tool.ApprovalCheck.ShouldNotBeNull()(new ToolApprovalContext
        {
            ToolName = "read_file",
            Arguments = System.Text.Json.JsonDocument.Parse("""{"path":"innocent.txt"}""").RootElement,
            Workspace = _temp.Workspace,
        });

        reason.ShouldNotBeNull();
    }

    [Fact]
    public async Task Invoke_TextFile_ReturnsNumberedLines()
    {
        _temp.Write("a.txt", "one\ntwo\r\nthree");

        string result = await _temp.InvokeAsync(_tool, """{"path":"a.txt"}""");

        result.ShouldBe("     1\tone\n     2\ttwo\n     3\tthree\n");
    }

    [Fact]
    public async Task Invoke_LineRange_ReturnsOnlyThoseLinesInclusive()
    {
        _temp.Write("a.txt", string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")));

        string result = await _temp.InvokeAsync(_tool, """{"path":"a.txt","start_line":12,"end_line":14}""");

        result.ShouldBe("    12\tline 12\n    13\tline 13\n    14\tline 14\n");
    }

    [Fact]
    public async Task Invoke_EndLinePastTheEnd_StopsAtTheEnd()
    {
        _temp.Write("a.txt", "a\nb\nc\n");

        string result = await _temp.InvokeAsync(_tool, """{"path":"a.txt","start_line":2,"end_line":99}""");

        result.ShouldBe("     2\tb\n     3\tc\n");
    }

    [Fact]
    public async Task Invoke_StartLinePastTheEnd_ErrorSaysHowManyLines()
    {
        _temp.Write("a.txt", "a\nb\n");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"a.txt","start_line":5}""")))
            .Message.ShouldContain("2 lines");
    }

    [Fact]
    public async Task Invoke_EndBeforeStart_IsAnError()
    {
        _temp.Write("a.txt", "a\nb\n");

        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"a.txt","start_line":2,"end_line":1}"""));
    }

    [Fact]
    public async Task Invoke_LargeFile_IsCappedAndSaysHowManyLinesWereOmitted()
    {
        string line = new('x', 99);
        _temp.Write("big.txt", string.Concat(Enumerable.Repeat(line + "\n", 10_000)));

        string result = await _temp.InvokeAsync(_tool, """{"path":"big.txt"}""");

        result.Length.ShouldBeLessThan(ReadFileTool.MaxOutputCharacters + 300);
        int shown = result.Split('\n').Count(l => l.EndsWith(line, StringComparison.Ordinal));
        result.ShouldContain($"[... {10_000 - shown:N0} more lines omitted");
        result.ShouldContain($"start_line={shown + 1}");
    }

    [Fact]
    public async Task Invoke_EmptyFile_SaysItIsEmpty()
    {
        _temp.Write("empty.txt", "");

        (await _temp.InvokeAsync(_tool, """{"path":"empty.txt"}""")).ShouldContain("is empty");
    }

    [Fact]
    public async Task Invoke_BinaryFile_IsRefused()
    {
        File.WriteAllBytes(Path.Combine(_temp.RootPath, "image.png"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]);

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"image.png"}""")))
            .Message.ShouldContain("binary");
    }

    [Fact]
    public async Task Invoke_MissingFile_ErrorSaysNotFound()
    {
        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"nope.txt"}""")))
            .Message.ShouldContain("not found");
    }

    [Fact]
    public async Task Invoke_Directory_IsAnError()
    {
        Directory.CreateDirectory(Path.Combine(_temp.RootPath, "src"));

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"src"}""")))
            .Message.ShouldContain("directory");
    }

    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("/etc/passwd")]
    public async Task Invoke_PathOutsideTheWorkspace_IsRefused(string path)
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "secret");

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, $$"""{"path":"{{path}}"}"""));
    }

    [Fact]
    public async Task Invoke_AbsolutePathInside_IsAllowed()
    {
        string full = _temp.Write("a.txt", "hello");

        (await _temp.InvokeAsync(_tool, $$"""{"path":"{{full}}"}""")).ShouldContain("hello");
    }

    [Fact]
    public async Task Invoke_FileLinkPointingOutside_IsRefused()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), Path.Combine(_temp.OutsidePath, "secret.txt"));

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"link.txt"}"""));
    }

    [Fact]
    public async Task Invoke_DirectoryLinkPointingOutside_IsRefused()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "secret");
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"out/secret.txt"}"""));
    }

    [Fact]
    public async Task Invoke_LinkInsidePointingInside_IsRead()
    {
        _temp.Write("real.txt", "content");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "alias.txt"), Path.Combine(_temp.RootPath, "real.txt"));

        (await _temp.InvokeAsync(_tool, """{"path":"alias.txt"}""")).ShouldBe("     1\tcontent\n");
    }

    [Fact]
    public async Task Invoke_NamedPipe_IsRefusedWithoutOpeningIt()
    {
        _temp.MakeFifo("pipe");

        ToolException error = await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"path":"pipe"}"""));

        error.Message.ShouldBe("'pipe' is not a regular file (it is a named pipe); read_file only works on regular files.");
    }

    [Fact]
    public async Task Invoke_LinkToANamedPipe_IsRefusedWithoutOpeningIt()
    {
        string pipe = _temp.MakeFifo("pipe");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link"), pipe);

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"path":"link"}""")))
            .Message.ShouldContain("is not a regular file (it is a named pipe)");
    }

    [Fact]
    public async Task Invoke_Socket_IsRefusedAsNotARegularFile()
    {
        using System.Net.Sockets.Socket socket = _temp.BindSocket("sock");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"path":"sock"}""")))
            .Message.ShouldBe("'sock' is not a regular file (it is a socket); read_file only works on regular files.");
    }
}
