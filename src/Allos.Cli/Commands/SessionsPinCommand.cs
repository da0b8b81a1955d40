using System.CommandLine;
using Allos.Cli.Admin;
using Allos.Storage;

namespace Allos.Cli.Commands;

/// <summary><c>allos sessions pin ID</c> / <c>unpin ID</c>: a pinned session is kept by <c>allos sessions prune</c>.</summary>
internal static class SessionsPinCommand
{
    public static Command Create(bool pin)
    {
        var id = new Argument<string>("id") { Description = SessionsCommand.IdHelp };
        var command = new Command(
            pin ? "pin" : "unpin",
            pin ? "Pin a session, so `allos sessions prune` keeps it (marked * in the list)" : "Unpin a session, so `allos sessions prune` may delete it")
        { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            (SessionRecord? session, int exitCode) = await store.FindAsync(console, result.GetValue(id)!, cancellationToken);
            if (session is null)
            {
                return exitCode;
            }

            string shortId = await SessionLookup.ShortIdAsync(store.Store.Sessions, session.Id, cancellationToken);
            if (session.Pinned == pin)
            {
                console.Error.WriteLine($"Session {shortId} is already {(pin ? "pinned" : "not pinned")}.");
                return ExitCodes.Success;
            }

            await store.Store.Sessions.UpdateAsync(session.Id, new SessionUpdate { Pinned = pin }, cancellationToken);
            console.Error.WriteLine(pin ? $"Pinned session {shortId}: `allos sessions prune` keeps it." : $"Unpinned session {shortId}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
