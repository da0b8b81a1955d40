namespace Allos.Tools;

/// <summary>
/// The folder a run's tools may touch. Every path a model passes goes through <see cref="Resolve"/>, which follows
/// <c>..</c> and symbolic links and refuses anything that ends up outside <see cref="Root"/>.
/// </summary>
/// <remarks>Security: this is the boundary between a model's wishes and the user's file system. Thread-safe.</remarks>
public sealed class Workspace
{
    /// <summary>Initializes a workspace rooted at an existing folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public Workspace(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The workspace folder '{full}' does not exist.");
        }

        Root = RealPath(full);
    }

    /// <summary>Gets a workspace rooted at the current directory.</summary>
    public static Workspace Current => new(Environment.CurrentDirectory);

    /// <summary>Gets the workspace's root, with symbolic links resolved.</summary>
    public string Root { get; }

    /// <summary>
    /// Resolves a path given by a model (relative to <see cref="Root"/>, or absolute) to a full path inside the workspace,
    /// with <c>..</c> and symbolic links resolved. The path need not exist (a file about to be written).
    /// </summary>
    /// <exception cref="WorkspaceAccessException">The path leaves the workspace, directly or through a link.</exception>
    public string Resolve(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path == ".")
        {
            return Root;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new WorkspaceAccessException(path, "it contains a NUL character");
        }

        string candidate = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Root, path));
        if (!IsInside(candidate))
        {
            // An absolute path may name the root by another name (the link the workspace was opened through, or
            // /tmp for /private/tmp): it is inside if its real path is. The walk below checks it again.
            string real = RealPathOfExisting(candidate);
            if (!IsInside(real))
            {
                throw new WorkspaceAccessException(path, $"it is outside the workspace {Root}");
            }

            candidate = real;
        }

        // Walk down from the root, following every link on the way, so a link anywhere in the path is caught.
        string current = Root;
        string[] segments = Path.GetRelativePath(Root, candidate).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i] == ".")
            {
                continue;
            }

            string next = Path.Combine(current, segments[i]);
            FileSystemInfo? info = Directory.Exists(next) ? new DirectoryInfo(next) : File.Exists(next) ? new FileInfo(next) : null;
            if (info?.LinkTarget is not null || (info is null && IsDanglingLink(next)))
            {
                FileSystemInfo? target = info?.ResolveLinkTarget(returnFinalTarget: true)
                    ?? new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true);
                string resolved = target is null ? next : Path.GetFullPath(target.FullName);
                if (!IsInside(RealPathOfExisting(resolved)))
                {
                    throw new WorkspaceAccessException(path, $"'{segments[i]}' is a link that points outside the workspace");
                }

                next = resolved;
            }

            current = next;
        }

        return current;
    }

    /// <summary>The path relative to the root, with forward slashes, for showing to the model and the user.</summary>
    public string ToRelative(string fullPath)
    {
        string relative = Path.GetRelativePath(Root, fullPath);
        return relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private bool IsInside(string fullPath) =>
        fullPath == Root
        || (fullPath.StartsWith(Root, StringComparison.Ordinal)
            && (Root.EndsWith(Path.DirectorySeparatorChar) || fullPath[Root.Length] == Path.DirectorySeparatorChar));

    private static bool IsDanglingLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The real path of an existing (or partly existing) path: links in its existing part resolved.</summary>
    private static string RealPathOfExisting(string path)
    {
        string full = Path.GetFullPath(path);
        string? existing = full;
        var rest = new Stack<string>();
        while (existing is not null && !Directory.Exists(existing) && !File.Exists(existing))
        {
            rest.Push(Path.GetFileName(existing));
            existing = Path.GetDirectoryName(existing);
        }

        string real = existing is null ? full : RealPath(existing);
        while (rest.Count > 0)
        {
            real = Path.Combine(real, rest.Pop());
        }

        return real;
    }

    private static string RealPath(string existingPath)
    {
        string full = Path.GetFullPath(existingPath);
        string? root = Path.GetPathRoot(full);
        string current = root ?? "/";
        foreach (string segment in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                next = RealPath(target.FullName);
            }

            current = next;
        }

        return current;
    }
}
