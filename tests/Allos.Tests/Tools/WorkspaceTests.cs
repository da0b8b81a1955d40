using Allos.Tools;

namespace Allos.Tests.Tools;

public sealed class WorkspaceTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    private Workspace Workspace => _temp.Workspace;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Constructor_MissingFolder_Throws() =>
        Should.Throw<DirectoryNotFoundException>(() => new Workspace(Path.Combine(_temp.Base, "missing")));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    public void Resolve_EmptyOrDot_IsTheRoot(string? path) => Workspace.Resolve(path).ShouldBe(_temp.RootPath);

    [Fact]
    public void Resolve_RelativePath_IsUnderTheRoot() =>
        Workspace.Resolve("src/a.cs").ShouldBe(Path.Combine(_temp.RootPath, "src", "a.cs"));

    [Fact]
    public void Resolve_DotDotThatStaysInside_IsResolved() =>
        Workspace.Resolve("src/../b.txt").ShouldBe(Path.Combine(_temp.RootPath, "b.txt"));

    [Theory]
    [InlineData("../x")]
    [InlineData("../outside/secret.txt")]
    [InlineData("src/../../x")]
    [InlineData("/etc/passwd")]
    public void Resolve_PathLeavingTheRoot_IsRefused(string path)
    {
        WorkspaceAccessException exception = Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve(path));

        exception.RequestedPath.ShouldBe(path);
        exception.Message.ShouldContain("outside the workspace");
    }

    [Fact]
    public void Resolve_SiblingWithTheRootAsPrefix_IsRefused()
    {
        // "/tmp/x/root-evil" starts with "/tmp/x/root" but is not inside it.
        Directory.CreateDirectory(_temp.RootPath + "-evil");

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve(_temp.RootPath + "-evil/file"));
    }

    [Fact]
    public void Resolve_AbsolutePathInside_IsAllowed()
    {
        string full = _temp.Write("a.txt", "x");

        Workspace.Resolve(full).ShouldBe(full);
    }

    [Fact]
    public void Resolve_NulCharacter_IsRefused() =>
        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("a\0b"));

    [Fact]
    public void Resolve_FileLinkPointingOutside_IsRefused()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "link.txt"), Path.Combine(_temp.OutsidePath, "secret.txt"));

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("link.txt")).Message.ShouldContain("link");
    }

    [Fact]
    public void Resolve_DirectoryLinkPointingOutside_IsRefusedForEverythingBelowIt()
    {
        File.WriteAllText(Path.Combine(_temp.OutsidePath, "secret.txt"), "secret");
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "out"), _temp.OutsidePath);

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("out"));
        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("out/secret.txt"));
        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("out/new/file.txt"));
    }

    [Fact]
    public void Resolve_RelativeLinkPointingOutside_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "up"), "../outside");

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("up/x.txt"));
    }

    [Fact]
    public void Resolve_DanglingLinkPointingOutside_IsRefused()
    {
        // Writing through it would create a file outside.
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "dangling"), Path.Combine(_temp.OutsidePath, "new.txt"));

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("dangling"));
    }

    [Fact]
    public void Resolve_LinkInsidePointingInside_IsResolvedToItsTarget()
    {
        string target = _temp.Write("real/file.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "alias"), Path.Combine(_temp.RootPath, "real"));

        Workspace.Resolve("alias/file.txt").ShouldBe(target);
    }

    [Fact]
    public void Resolve_ChainOfLinksEndingOutside_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "b"), _temp.OutsidePath);
        Directory.CreateSymbolicLink(Path.Combine(_temp.RootPath, "a"), Path.Combine(_temp.RootPath, "b"));

        Should.Throw<WorkspaceAccessException>(() => Workspace.Resolve("a/x"));
    }

    [Fact]
    public void Root_GivenThroughALink_IsTheRealPath()
    {
        string alias = Path.Combine(_temp.Base, "alias");
        Directory.CreateSymbolicLink(alias, _temp.RootPath);

        new Workspace(alias).Root.ShouldBe(_temp.RootPath);
    }

    [Fact]
    public void Resolve_AbsolutePathThroughTheRootsAlias_IsAllowed()
    {
        // A workspace opened as /x/alias (a link to /x/root) must accept /x/alias/a.txt, the path the user sees.
        string alias = Path.Combine(_temp.Base, "alias");
        Directory.CreateSymbolicLink(alias, _temp.RootPath);
        var workspace = new Workspace(alias);

        workspace.Resolve(Path.Combine(alias, "a.txt")).ShouldBe(Path.Combine(_temp.RootPath, "a.txt"));
    }

    [Fact]
    public void ToRelative_UsesForwardSlashes() =>
        Workspace.ToRelative(Path.Combine(_temp.RootPath, "src", "a.cs")).ShouldBe("src/a.cs");

    [Fact]
    public void ToRelative_Root_IsDot() => Workspace.ToRelative(_temp.RootPath).ShouldBe(".");
}
