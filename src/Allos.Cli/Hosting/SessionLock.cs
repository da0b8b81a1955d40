using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Allos.Configuration;

namespace Allos.Cli.Hosting;

/// <summary>
/// One process at a time per session, across processes: an exclusive lock on a file in the data folder, held until the
/// process ends (the kernel releases it even after a crash, so it never goes stale). A second run on the same session
/// is refused with the holder's process id instead of interleaving the two histories, or (<c>--wait</c>) waits for it.
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
    /// <param name="session">The session.</param>
    /// <param name="waiting">Where to say, once, that the lock is held and this process waits (<c>--wait</c>); <see langword="null"/> refuses at once.</param>
    /// <param name="cancellationToken">Ends the wait (Ctrl+C).</param>
    /// <exception cref="SessionInUseException">Another process holds it and <paramref name="waiting"/> is <see langword="null"/>.</exception>
    public static async Task<SessionLock> AcquireAsync(string session, TextWriter? waiting = null, CancellationToken cancellationToken = default)
    {
        string folder = Path.Combine(AllosPaths.DataDirectory, "locks");
        Directory.CreateDirectory(folder);
        string name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(session)))[..32];
        string lockFile = Path.Combine(folder, name + ".lock");
        string ownerFile = Path.Combine(folder, name + ".owner");
        bool told = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
                var held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(ownerFile, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} (since {DateTimeOffset.Now:HH:mm:ss})"));
                return new SessionLock(held, ownerFile);
            }
            catch (IOException)
            {
                string owner = Owner(ownerFile);
                if (waiting is null)
                {
                    throw new SessionInUseException(session, owner);
                }

                if (!told)
                {
                    await waiting.WriteLineAsync($"session {session} is in use by {owner}; waiting for it to finish (Ctrl+C to stop)…").ConfigureAwait(false);
                    told = true;
                }
            }

            // flock has no wait with a timeout or a cancellation token: poll, briefly, until the holder exits.
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Owner(string ownerFile)
    {
        try
        {
            string owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "";
            return owner.Length > 0 ? owner : "another allos process";
        }
        catch (IOException)
        {
            return "another allos process";
        }
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
