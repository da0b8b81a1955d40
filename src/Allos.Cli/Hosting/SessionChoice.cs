using Allos.Cli.Admin;
using Allos.Cli.Settings;
using Allos.Storage;

namespace Allos.Cli.Hosting;

/// <summary>
/// Turns what <c>-s</c> and <c>-c</c> name into a whole session id before a run or chat starts: a unique prefix is that
/// session, <c>-c</c> the most recent one (restoring its model and agent unless flags name others).
/// </summary>
internal static class SessionChoice
{
    /// <summary>Returns the request with the session's whole id, or <see langword="null"/> and an exit code after writing the error.</summary>
    public static async Task<(RunRequest? Request, int ExitCode)> ResolveAsync(RunRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.Continue && request.Session is not null)
        {
            return Fail(console, ExitCodes.Usage, "-c/--continue and -s/--session both choose a session; pass one of them.");
        }

        bool file = request.Session?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true;
        if (!request.Continue && (request.Session is null || file))
        {
            return (request, ExitCodes.Success);
        }

        await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
        if (request.Continue)
        {
            IReadOnlyList<SessionRecord> latest = await store.Store.Sessions.ListAsync(new SessionQuery { Limit = 1 }, cancellationToken);
            return latest.Count == 0
                ? Fail(console, ExitCodes.Failed, "there is no session to continue yet; `allos run \"…\"` or `allos chat` starts one.")
                : (Restore(request, latest[0]) with { Session = latest[0].Id, Continue = false }, ExitCodes.Success);
        }

        // A name no session has (nor starts with) creates a session of that name, as before.
        SessionMatch match = await SessionLookup.FindAsync(store.Store.Sessions, request.Session!, cancellationToken);
        if (match.IsAmbiguous)
        {
            return Fail(console, ExitCodes.Usage, SessionLookup.NotFound(match, request.Session!.Trim()));
        }

        return (match.Session is { } session ? request with { Session = session.Id } : request, ExitCodes.Success);
    }

    /// <summary>The session's model and agent where the flags name none (the default agent is no agent to load).</summary>
    public static RunRequest Restore(RunRequest request, SessionRecord session) => request with
    {
        Model = request.Model ?? (request.Agent is null && request.Provider is null ? session.Model : null),
        Agent = request.Agent ?? (session.Agent is { } agent && agent != AgentHost.DefaultAgentName ? agent : null),
    };

    private static (RunRequest?, int) Fail(CliConsole console, int exitCode, string message)
    {
        console.Error.WriteLine($"error: {message}");
        return (null, exitCode);
    }
}
