using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Allos.Agents;
using Allos.Configuration;

namespace Allos.Cli.Hosting;

/// <summary>
/// The run of a session that stopped awaiting approval (exit 4), kept in the data folder so that
/// <c>allos run -s ID --approve</c> (or <c>--deny</c>), in another process, can answer its calls and carry on.
/// </summary>
/// <remarks>
/// One file per session (<c>pending/HASH.json</c>, the <see cref="RunState"/> as JSON). Any later turn on the session
/// removes it: that turn closed the calls, and continuing the old run would fork the history.
/// </remarks>
internal static class PendingApprovals
{
    public static void Save(string session, RunState state)
    {
        string file = FileOf(session);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file + ".tmp", state.ToJson());
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>Returns the paused run of <paramref name="session"/>, or <see langword="null"/> when it has none.</summary>
    /// <exception cref="ConfigurationException">The saved run cannot be read; the message names the file.</exception>
    public static RunState? Load(string session)
    {
        string file = FileOf(session);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return RunState.FromJson(File.ReadAllText(file));
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"The paused run of session {session} ({file}) cannot be read ({ex.Message}). Delete the file and run the task again.");
        }
    }

    public static void Delete(string session)
    {
        try
        {
            File.Delete(FileOf(session));
        }
        catch (IOException)
        {
            // Left behind (a read-only data folder), it is harmless: --approve checks that the session still ends with its calls.
        }
    }

    private static string FileOf(string session) =>
        Path.Combine(AllosPaths.DataDirectory, "pending", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(session)))[..32] + ".json");
}
