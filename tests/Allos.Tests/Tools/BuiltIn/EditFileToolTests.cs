using System.Text;
using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class EditFileToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = EditFileTool.Create();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_UniqueMatch_ReplacesItAndSummarizes()
    {
        _temp.Write("a.cs", "int x = 1;\nint y = 2;\n");

        string result = await _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"int y = 2;","new_text":"int y = 3;"}""");

        result.ShouldBe("Replaced 1 occurrence in a.cs");
        _temp.Read("a.cs").ShouldBe("int x = 1;\nint y = 3;\n");
    }

    [Fact]
    public async Task Invoke_NotFound_ErrorSaysSoWithAWhitespaceHint()
    {
        _temp.Write("a.cs", "    int x = 1;\n");

        ToolException exception = await Should.ThrowAsync<ToolException>(
            () => _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"  int x = 1;\n  int z","new_text":"y"}"""));

        exception.Message.ShouldContain("not found");
        exception.Message.ShouldContain("whitespace");
        _temp.Read("a.cs").ShouldBe("    int x = 1;\n");
    }

    [Fact]
    public async Task Invoke_Ambiguous_ErrorSaysHowManyAndLeavesTheFile()
    {
        _temp.Write("a.cs", "foo();\nfoo();\nfoo();\n");

        ToolException exception = await Should.ThrowAsync<ToolException>(
            () => _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"foo();","new_text":"bar();"}"""));

        exception.Message.ShouldContain("3 places");
        exception.Message.ShouldContain("replace_all");
        _temp.Read("a.cs").ShouldBe("foo();\nfoo();\nfoo();\n");
    }

    [Fact]
    public async Task Invoke_ReplaceAll_ReplacesEveryOccurrence()
    {
        _temp.Write("a.cs", "foo();\nfoo();\nfoo();\n");

        string result = await _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"foo","new_text":"bar","replace_all":true}""");

        result.ShouldBe("Replaced 3 occurrences in a.cs");
        _temp.Read("a.cs").ShouldBe("bar();\nbar();\nbar();\n");
    }

    [Fact]
    public async Task Invoke_CrlfFileWithLfOldText_MatchesAndKeepsCrlf()
    {
        _temp.Write("a.cs", "line1\r\nline2\r\nline3\r\n");

        await _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"line1\nline2","new_text":"first\nsecond\nextra"}""");

        _temp.Read("a.cs").ShouldBe("first\r\nsecond\r\nextra\r\nline3\r\n");
    }

    [Fact]
    public async Task Invoke_FileWithBom_KeepsTheBom()
    {
        string full = Path.Combine(_temp.RootPath, "bom.txt");
        File.WriteAllText(full, "hello world", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        await _temp.InvokeAsync(_tool, """{"path":"bom.txt","old_text":"world","new_text":"there"}""");

        byte[] bytes = File.ReadAllBytes(full);
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        Encoding.UTF8.GetString(bytes[3..]).ShouldBe("hello there");
    }

    [Fact]
    public async Task Invoke_MissingFile_ErrorSaysNotFound()
    {
        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"nope.cs","old_text":"a","new_text":"b"}""")))
            .Message.ShouldContain("write_file");
    }

    [Fact]
    public async Task Invoke_EmptyOldText_IsAnError()
    {
        _temp.Write("a.cs", "x");

        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"a.cs","old_text":"","new_text":"b"}"""));
    }

    [Fact]
    public async Task Invoke_BinaryFile_IsRefused()
    {
        File.WriteAllBytes(Path.Combine(_temp.RootPath, "b.bin"), [0x61, 0x00, 0x62]);

        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"path":"b.bin","old_text":"a","new_text":"c"}"""));
    }

    [Fact]
    public async Task Invoke_LinkPointingOutside_IsRefusedAndTheTargetIsUntouched()
    {
        string target = Path.Combine(_temp.OutsidePath, "victim.txt");
        File.WriteAllText(target, "original");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), target);

        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"path":"link.txt","old_text":"original","new_text":"pwned"}"""));

        File.ReadAllText(target).ShouldBe("original");
    }

    [Fact]
    public async Task Invoke_NamedPipe_IsRefusedWithoutOpeningIt()
    {
        _temp.MakeFifo("pipe");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"path":"pipe","old_text":"a","new_text":"b"}""")))
            .Message.ShouldBe("'pipe' is not a regular file (it is a named pipe); edit_file only works on regular files.");
    }
}
