using System.CommandLine;
using System.Globalization;
using Allos.Cli.Admin;
using Allos.Storage;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos sessions prune --older-than 30d [--keep-pinned] [--dry-run]</c>: deletes sessions not updated for that long,
/// with their messages and traces, and the usage rows older than that (the store's retention cleanup).
/// </summary>
internal static class SessionsPruneCommand
{
    public static Command Create()
    {
        var olderThan = new Option<string>("--older-than")
        {
            HelpName = "AGE",
            Description = "Delete sessions not updated for this long: 30d, 12h, 2w, or a UTC date such as 2026-11-01",
            Required = true,
        };
        olderThan.Validators.Add(result =>
        {
            if (result.GetValue(olderThan) is { } value && Cutoff(value) is null)
            {
                result.AddError($"--older-than '{value}' is not a span (30d, 12h, 2w) or a date (2026-11-01).");
            }
        });
        var keepPinned = new Option<bool>("--keep-pinned")
        {
            Description = "Keep pinned sessions (the default; --keep-pinned false deletes them too)",
            DefaultValueFactory = _ => true,
            Arity = ArgumentArity.ZeroOrOne,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted, and delete nothing" };
        var command = new Command("prune", "Delete old sessions (and usage rows older than that); pinned ones are kept") { olderThan, keepPinned, dryRun };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            DateTimeOffset cutoff = Cutoff(result.GetValue(olderThan)!)!.Value;
            bool keep = result.GetValue(keepPinned);
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            IReadOnlyList<SessionRecord> old = [.. (await store.Store.Sessions.ListAsync(new SessionQuery { Limit = int.MaxValue, UpdatedBefore = cutoff }, cancellationToken))
                .Where(session => !keep || !session.Pinned)];
            string when = cutoff.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            if (result.GetValue(dryRun))
            {
                IReadOnlyList<SessionRecord> all = await store.Store.Sessions.ListAsync(new SessionQuery { Limit = int.MaxValue }, cancellationToken);
                Dictionary<string, string> shortIds = SessionLookup.ShortIds(old.Select(session => session.Id), [.. all.Select(session => session.Id)]);
                foreach (SessionRecord session in old)
                {
                    IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
                    string title = ConversationView.Title(session, messages.Select(message => message.Message));
                    await console.Out.WriteLineAsync($"{shortIds[session.Id]}{(session.Pinned ? "*" : "")}  {ConversationView.Time(session.Updated)}  {SessionsTable.Cut(title, 48)}");
                }

                console.Error.WriteLine($"dry run: {old.Count} session(s) not updated since {when} would be deleted{(keep ? ", pinned ones kept" : "")}; nothing was deleted.");
                return ExitCodes.Success;
            }

            CleanupResult cleaned = await store.Store.Telemetry.CleanupAsync(cutoff, keep, cancellationToken);
            console.Error.WriteLine(
                $"Deleted {cleaned.Sessions} session(s) not updated since {when}{(keep ? " (pinned ones kept)" : "")}, " +
                $"and {cleaned.ModelCalls} model-call, {cleaned.ToolExecutions} tool and {cleaned.RunSteps} trace row(s) older than that.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The time before which sessions go: a span back from now, or a date or time; <see langword="null"/> for anything else.</summary>
    private static DateTimeOffset? Cutoff(string text) =>
        text.Trim().ToLowerInvariant() is not ("all" or "ever" or "today") && SinceParser.TryParse(text, DateTimeOffset.UtcNow, out DateTimeOffset? since) ? since : null;
}
