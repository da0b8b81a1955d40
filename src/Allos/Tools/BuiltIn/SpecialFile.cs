using System.Runtime.InteropServices;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// Tells named pipes, devices and sockets from regular files without opening them. .NET reports all of them as plain
/// files, and open(2) on a named pipe blocks until a writer appears, so the file tools ask stat(2) before they open.
/// </summary>
/// <remarks>
/// Links are followed (stat, not lstat): a link to a pipe is a pipe. Only <c>st_mode</c> is read, into a buffer larger than
/// either struct: on Linux from <c>statx</c>, whose layout is the same on every architecture (glibc 2.28 and later); on
/// macOS from <c>stat</c> with 64-bit inodes (<c>stat$INODE64</c> on x64; plain <c>stat</c> is that layout on arm64).
/// Elsewhere (Windows has no such files in a folder), or where the call is missing, nothing is special and the executor's
/// timeout is the remaining guard. Thread-safe.
/// </remarks>
internal static partial class SpecialFile
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;

    private const int TypeMask = 0xF000;
    private const int TypeNamedPipe = 0x1000;
    private const int TypeCharacterDevice = 0x2000;
    private const int TypeDirectory = 0x4000;
    private const int TypeBlockDevice = 0x6000;
    private const int TypeRegular = 0x8000;
    private const int TypeSocket = 0xC000;

    private static volatile bool _unavailable = !OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS();

    /// <summary>
    /// What <paramref name="path"/> is when it is neither a regular file nor a folder: "named pipe", "character device",
    /// "block device", "socket" or "special file"; <see langword="null"/> otherwise, also when it does not exist.
    /// </summary>
    public static string? KindOf(string path)
    {
        if (_unavailable)
        {
            return null;
        }

        StatBuffer buffer = default;
        int mode;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                mode = LinuxStatx(AtCurrentDirectory, path, 0, StatxType, out buffer) == 0 ? buffer.LinuxMode : -1;
            }
            else
            {
                int status = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? MacStat64(path, out buffer) : MacStat(path, out buffer);
                mode = status == 0 ? buffer.MacMode : -1;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // An old C library (musl before 1.2.5, glibc before 2.28): fall back to what .NET can tell.
            _unavailable = true;
            return null;
        }

        // A failed stat (a missing file, a dangling link, no permission) is not special: opening it fails rather than blocks.
        return mode < 0 ? null : (mode & TypeMask) switch
        {
            TypeRegular or TypeDirectory => null,
            TypeNamedPipe => "named pipe",
            TypeCharacterDevice => "character device",
            TypeBlockDevice => "block device",
            TypeSocket => "socket",
            _ => "special file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinuxStatx(int directory, string path, int flags, uint mask, out StatBuffer buffer);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MacStat(string path, out StatBuffer buffer);

    [LibraryImport("libc", EntryPoint = "stat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MacStat64(string path, out StatBuffer buffer);

    /// <summary>Room for Linux's <c>struct statx</c> (256 bytes) and macOS's <c>struct stat</c> (144); only the mode is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 512)]
    private struct StatBuffer
    {
        /// <summary>macOS <c>st_mode</c>: after the 4-byte <c>st_dev</c>.</summary>
        [FieldOffset(4)]
        public ushort MacMode;

        /// <summary>Linux <c>stx_mode</c>: after mask, blksize, attributes (8 bytes), nlink, uid and gid.</summary>
        [FieldOffset(28)]
        public ushort LinuxMode;
    }
}
