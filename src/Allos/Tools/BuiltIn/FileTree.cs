namespace Allos.Tools.BuiltIn;

/// <summary>Walks a folder of the workspace for the listing and search tools, and tells text files from binary ones.</summary>
/// <remarks>
/// Security: folder links are never descended into (they could lead out of the workspace, or round in a cycle), and a
/// file link is only read when <see cref="Workspace.Resolve"/> accepts it, so a search cannot read outside the root.
/// </remarks>
internal static class FileTree
{
    /// <summary>The folders that hold tooling state or build output rather than the user's sources.</summary>
    public static readonly IReadOnlySet<string> SkippedFolders = new HashSet<string>(StringComparer.Ordinal) { ".git", "bin", "obj", "node_modules" };

    private const int BinaryProbeBytes = 8 * 1024;

    private static readonly EnumerationOptions Options = new()
    {
        IgnoreInaccessible = true,
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The entries of one folder, sorted by name (ordinal), without the skipped folders.</summary>
    public static IEnumerable<FileSystemInfo> Children(DirectoryInfo folder) =>
        folder.EnumerateFileSystemInfos("*", Options)
            .Where(entry => !(IsDirectory(entry) && SkippedFolders.Contains(entry.Name)))
            .OrderBy(entry => entry.Name, StringComparer.Ordinal);

    /// <summary>
    /// Every file under <paramref name="folder"/>, depth first in name order, skipping the skipped folders, folder links,
    /// and named pipes, devices and sockets (and links to them), which are never opened.
    /// </summary>
    public static IEnumerable<FileInfo> Files(DirectoryInfo folder, CancellationToken cancellationToken)
    {
        foreach (FileSystemInfo entry in Children(folder))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo directory)
            {
                if (directory.LinkTarget is not null)
                {
                    continue;
                }

                foreach (FileInfo file in Files(directory, cancellationToken))
                {
                    yield return file;
                }
            }
            else if (entry is FileInfo file && SpecialFile.KindOf(file.FullName) is null)
            {
                yield return file;
            }
        }
    }

    /// <summary>Whether an entry is a folder (or a link to one).</summary>
    public static bool IsDirectory(FileSystemInfo entry) =>
        entry is DirectoryInfo || (entry.LinkTarget is not null && Directory.Exists(entry.FullName));

    /// <summary>Whether a file found by a walk may be read: a plain file, or a link the workspace accepts.</summary>
    public static bool IsReadable(Workspace workspace, FileInfo file)
    {
        if (file.LinkTarget is null)
        {
            return true;
        }

        try
        {
            return File.Exists(workspace.Resolve(file.FullName));
        }
        catch (WorkspaceAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Whether a file looks binary: a NUL byte in its first 8 KB (UTF-16 and UTF-32 files, which have a byte order mark, are text).</summary>
    public static bool IsBinary(string path)
    {
        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        Span<byte> buffer = stackalloc byte[BinaryProbeBytes];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> head = buffer[..read];
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return false;
        }

        return head.Contains((byte)0);
    }
}
