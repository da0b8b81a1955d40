using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class GrepToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = GrepTool.Create();

    public GrepToolTests()
    {
        _temp.Write("src/a.cs", "class A\n{\n    // REVISIT: fix\n}\n");
        _temp.Write("src/b.ts", "// REVISIT: port\n");
        _temp.Write("notes.md", "nothing here\nREVISIT list\n");
        _temp.Write("bin/x.cs", "// REVISIT: generated\n");
        _temp.Write("node_modules/m/i.js", "// REVISIT: vendored\n");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_Pattern_ReturnsPathLineAndTextSkippingBuildFolders() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT"}"""))
            .ShouldBe("notes.md:2: REVISIT list\nsrc/a.cs:3:     // REVISIT: fix\nsrc/b.ts:1: // REVISIT: port\n");

    [Fact]
    public async Task Invoke_Include_FiltersByFileName() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT","include":"*.cs"}""")).ShouldBe("src/a.cs:3:     // REVISIT: fix\n");

    [Fact]
    public async Task Invoke_IncludeWithBraces_FiltersByEither() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT: \\w+","include":"*.{ts,md}"}""")).ShouldBe("src/b.ts:1: // REVISIT: port\n");

    [Fact]
    public async Task Invoke_PathToAFile_SearchesOnlyIt() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"^class","path":"src/a.cs"}""")).ShouldBe("src/a.cs:1: class A\n");

    [Fact]
    public async Task Invoke_PathToAFolder_SearchesBelowIt() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT","path":"src"}""")).ShouldBe("src/a.cs:3:     // REVISIT: fix\nsrc/b.ts:1: // REVISIT: port\n");

    [Fact]
    public async Task Invoke_RegexFeatures_AreDotNet() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"(?i)^revisit\\s+LIST$"}""")).ShouldBe("notes.md:2: REVISIT list\n");

    [Fact]
    public async Task Invoke_SecretFiles_AreSkippedAndNamedWithHowToRead()
    {
        _temp.Write(".env", "OPENAI_API_KEY=sk-grep-REVISIT\n");
        _temp.Write("certs/server.pem", "-----BEGIN PRIVATE KEY----- REVISIT\n");

        string result = await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT"}""");

        result.ShouldNotContain("sk-grep");
        result.ShouldNotContain("BEGIN PRIVATE KEY");
        result.ShouldContain("notes.md:2: REVISIT list\n");
        result.ShouldContain("[skipped 2 file(s) that usually hold secrets, without searching them: .env, certs/server.pem. Use read_file on one to read it; that asks the user first.]");
    }

    [Fact]
    public async Task Invoke_PathToASecretFile_IsSkippedToo()
    {
        _temp.Write(".env.local", "TOKEN=abcdefghijkl\n");

        string result = await _temp.InvokeAsync(_tool, """{"pattern":"TOKEN","path":".env.local"}""");

        result.ShouldStartWith("No matches");
        result.ShouldContain("skipped 1 file(s)");
        result.ShouldNotContain("abcdefghijkl");
    }

    [Fact]
    public async Task Invoke_NoMatch_SaysSo() =>
        (await _temp.InvokeAsync(_tool, """{"pattern":"NOSUCHWORD"}""")).ShouldStartWith("No matches");

    [Fact]
    public async Task Invoke_BinaryFile_IsSkipped()
    {
        File.WriteAllBytes(Path.Combine(_temp.RootPath, "data.bin"), [.. "REVISIT binary"u8, 0x00, 0x01]);

        (await _temp.InvokeAsync(_tool, """{"pattern":"REVISIT binary"}""")).ShouldStartWith("No matches");
    }

    [Fact]
    public async Task Invoke_ManyMatches_IsCappedWithAMarker()
    {
        _temp.Write("many.txt", string.Concat(Enumerable.Repeat("hit\n", GrepTool.MaxMatches + 50)));

        string result = await _temp.InvokeAsync(_tool, """{"pattern":"hit","path":"many.txt"}""");

        result.Split('\n').Count(line => line.StartsWith("many.txt:", StringComparison.Ordinal)).ShouldBe(GrepTool.MaxMatches);
        result.ShouldContain("[... more matches not shown");
    }

    [Fact]
    public async Task Invoke_InvalidRegex_ErrorSaysSo() =>
        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"pattern":"(unclosed"}""")))
            .Message.ShouldContain("not a valid .NET regular expression");

    [Fact]
    public async Task Invoke_CatastrophicRegex_TimesOutWithAClearError()
    {
        _temp.Write("slow.txt", new string('a', 40) + "!");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, """{"pattern":"^(a+)+$","path":"slow.txt"}""")))
            .Message.ShouldContain("took longer");
    }

    [Fact]
    public async Task Invoke_PathOutside_IsRefused() =>
        await Should.ThrowAsync<WorkspaceAccessException>(() => _temp.InvokeAsync(_tool, """{"pattern":"x","path":"/etc/passwd"}"""));

    [Fact]
    public async Task Invoke_FileLinkPointingOutside_IsNotRead()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "REVISIT secret\n");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), Path.Combine(_temp.OutsidePath, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        (await _temp.InvokeAsync(_tool, """{"pattern":"secret"}""")).ShouldStartWith("No matches");
    }

    [Fact]
    public async Task Invoke_FolderWithANamedPipe_SkipsItWithoutOpeningIt()
    {
        string pipe = _temp.MakeFifo("src/pipe.cs");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "src/link.cs"), pipe);

        (await _temp.InvokePromptlyAsync(_tool, """{"pattern":"REVISIT","path":"src"}"""))
            .ShouldBe("src/a.cs:3:     // REVISIT: fix\nsrc/b.ts:1: // REVISIT: port\n");
    }

    [Fact]
    public async Task Invoke_PathIsANamedPipe_IsRefusedWithoutOpeningIt()
    {
        _temp.MakeFifo("pipe");

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokePromptlyAsync(_tool, """{"pattern":"x","path":"pipe"}""")))
            .Message.ShouldBe("'pipe' is not a regular file (it is a named pipe); grep only works on regular files.");
    }
}
