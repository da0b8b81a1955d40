using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class SpecialFileTests : IDisposable
{
    private readonly TempWorkspace _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void KindOf_RegularFileFolderOrMissingPath_IsNull()
    {
        string file = _temp.Write("a.txt", "a");

        SpecialFile.KindOf(file).ShouldBeNull();
        SpecialFile.KindOf(_temp.RootPath).ShouldBeNull();
        SpecialFile.KindOf(Path.Combine(_temp.RootPath, "missing")).ShouldBeNull();
    }

    [Fact]
    public void KindOf_SpecialFiles_NamesTheirKind()
    {
        string pipe = _temp.MakeFifo("pipe");
        using System.Net.Sockets.Socket socket = _temp.BindSocket("sock");

        SpecialFile.KindOf(pipe).ShouldBe("named pipe");
        SpecialFile.KindOf(Path.Combine(_temp.RootPath, "sock")).ShouldBe("socket");
        SpecialFile.KindOf("/dev/null").ShouldBe("character device");
    }

    [Fact]
    public void KindOf_Links_AreFollowed()
    {
        string pipe = _temp.MakeFifo("pipe");
        string file = _temp.Write("a.txt", "a");
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "to-pipe"), pipe);
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "to-file"), file);
        File.CreateSymbolicLink(Path.Combine(_temp.RootPath, "dangling"), Path.Combine(_temp.RootPath, "missing"));

        SpecialFile.KindOf(Path.Combine(_temp.RootPath, "to-pipe")).ShouldBe("named pipe");
        SpecialFile.KindOf(Path.Combine(_temp.RootPath, "to-file")).ShouldBeNull();
        SpecialFile.KindOf(Path.Combine(_temp.RootPath, "dangling")).ShouldBeNull();
    }
}
