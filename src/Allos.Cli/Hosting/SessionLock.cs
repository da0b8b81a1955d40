using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Allos.Configuration;

namespace Allos.Cli.Hosting;

/// <summary>
/// One process at a time per session, across processes: an exclusive lock on a file in the data folder, held until the
/// process ends (the kernel releases it even after a crash, so it never goes stale). A second run on the same session
/// is refused with the holder's process id instead of interleaving the two histories.
/// </summary>
internal sealed class SessionLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _ownerFile;

    private SessionLock(FileStream held, string ownerFile)
    {
        _lock = held;
        _ownerFile = ownerFile;
    }

    /// <summary>Takes the lock of <paramref name="session"/> (a store session id or a session file's full path).</summary>
    /// <exception cref="SessionInUseException">Another process holds it.</exception>
    public static SessionLock Acquire(string session)
    {
        string folder = Path.Combine(AllosPaths.DataDirectory, "locks");
        Directory.CreateDirectory(folder);
        string name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(session)))[..32];
        string lockFile = Path.Combine(folder, name + ".lock");
        string ownerFile = Path.Combine(folder, name + ".owner");
        FileStream held;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
            held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "";
            throw new SessionInUseException(session, owner.Length > 0 ? owner : "another allos process");
        }

        File.WriteAllText(ownerFile, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} (since {DateTimeOffset.Now:HH:mm:ss})"));
        return new SessionLock(held, ownerFile);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_ownerFile);
        }
        catch (IOException)
        {
        }

        _lock.Dispose();
    }
}
