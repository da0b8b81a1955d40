using System.CommandLine;
using System.Globalization;
using Allos.Cli.Admin;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Settings;
using Allos.Storage;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos sessions [list] | show ID | resume ID | delete ID | export ID | search TEXT | pin ID | unpin ID | prune</c>:
/// the conversations kept in the store. An ID is a whole id or the start of one (<c>3f9a</c>).
/// </summary>
internal static class SessionsCommand
{
    public const string IdHelp = "The session id, or its first characters (see `allos sessions list`)";

    public static Command Create()
    {
        var command = new Command("sessions", "List, show, resume, delete, export, search, pin and prune the saved conversations (alone: list)");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Resume());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(SessionsSearchCommand.Create());
        command.Subcommands.Add(SessionsPinCommand.Create(pin: true));
        command.Subcommands.Add(SessionsPinCommand.Create(pin: false));
        command.Subcommands.Add(SessionsPruneCommand.Create());

        // `allos sessions` alone lists, with list's defaults.
        command.SetAction((result, cancellationToken) => ListAsync(20, cancellationToken));
        return command;
    }

    private static Command List()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "Most sessions to list (default 20)", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValue(limit) < 1)
            {
                result.AddError("--limit must be 1 or more.");
            }
        });
        var command = new Command("list", "Saved sessions, newest first (* marks pinned ones)") { limit };
        command.SetAction((result, cancellationToken) => ListAsync(result.GetValue(limit), cancellationToken));
        return command;
    }

    private static async Task<int> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var console = new CliConsole();
        await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
        IReadOnlyList<SessionRecord> sessions = await store.Sessions.ListAsync(new SessionQuery { Limit = limit }, cancellationToken);
        if (sessions.Count == 0)
        {
            console.Error.WriteLine("No sessions yet: `allos run \"…\"` or `allos chat` starts one.");
            return ExitCodes.Success;
        }

        // Short ids are unique among every session, not only the ones listed: each must still name one session when typed.
        IReadOnlyList<SessionRecord> all = await store.Store.Sessions.ListAsync(new SessionQuery { Limit = int.MaxValue }, cancellationToken);
        Dictionary<string, string> shortIds = SessionLookup.ShortIds(sessions.Select(session => session.Id), [.. all.Select(session => session.Id)]);
        var rows = new List<SessionsTable.Row>();
        foreach (SessionRecord session in sessions)
        {
            IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
            string title = ConversationView.Title(session, messages.Select(message => message.Message));
            rows.Add(new SessionsTable.Row(shortIds[session.Id], session.Pinned, title.Length > 0 ? title : "(empty)", session.Model, session.Cost, session.Updated));
        }

        int width = console.OutputIsTerminal ? Math.Max(80, TerminalWidth()) : 80;
        foreach (string line in SessionsTable.Lines(rows, width, DateTimeOffset.Now))
        {
            await console.Out.WriteLineAsync(line);
        }

        return ExitCodes.Success;
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = IdHelp };
        var trace = new Option<bool>("--trace") { Description = "Also print the stored run steps: time, agent, model or tool, input → output, status, tokens, latency" };
        var command = new Command("show", "Print a session's conversation: roles, text, and each tool call on one line") { id, trace };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
            (SessionRecord? session, int exitCode) = await store.FindAsync(console, result.GetValue(id)!, cancellationToken);
            if (session is null)
            {
                return exitCode;
            }

            IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
            ConversationView.Write(console.RichOut, session, [.. messages.Select(message => message.Message)]);
            if (result.GetValue(trace))
            {
                TraceView.Write(console.Out, await store.Store.Telemetry.GetRunStepsAsync(session.Id, cancellationToken));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Resume()
    {
        var id = new Argument<string>("id") { Description = IdHelp };
        var command = new Command("resume", "Continue a session in a chat, on its model and agent (unless flags name others), after a short recap") { id };

        // The chat flags that make sense for a resumed conversation (its session is the argument).
        var flags = new RunFlags();
        foreach (Option option in new Option[] { flags.Model, flags.Provider, flags.Tools, flags.AutoApprove, flags.Autonomy, flags.Agent, flags.System, flags.MaxIterations, flags.Cwd, flags.NoStream, flags.Verbose, flags.Quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            RunRequest request = flags.Read(result);
            SessionRecord? session;
            await using (AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken))
            {
                (session, int exitCode) = await store.FindAsync(console, result.GetValue(id)!, cancellationToken);
                if (session is null)
                {
                    return exitCode;
                }

                if (!request.Quiet)
                {
                    IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
                    string shortId = await SessionLookup.ShortIdAsync(store.Store.Sessions, session.Id, cancellationToken);
                    foreach (string line in ConversationView.Recap(session, shortId, [.. messages.Select(message => message.Message)]))
                    {
                        console.Error.WriteLine(line);
                    }
                }
            }

            return await ChatCommand.ExecuteAsync(SessionChoice.Restore(request, session) with { Session = session.Id });
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("id") { Description = IdHelp };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking" };
        var command = new Command("delete", "Delete a session and its messages (asks first on a terminal)") { id, yes };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            (SessionRecord? session, int exitCode) = await store.FindAsync(console, result.GetValue(id)!, cancellationToken);
            if (session is null)
            {
                return exitCode;
            }

            if (!result.GetValue(yes))
            {
                if (!console.InputIsTerminal)
                {
                    console.Error.WriteLine($"error: not deleting session {session.Id} without a confirmation, and standard input is not a terminal.");
                    console.Error.WriteLine($"hint: pass -y to delete without asking: allos sessions delete {session.Id} -y");
                    return ExitCodes.Usage;
                }

                IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
                string title = ConversationView.Title(session, messages.Select(message => message.Message));
                console.Error.Write($"Delete session {session.Id}{(title.Length > 0 ? $" ({title})" : "")}, {messages.Count} messages? [y/N] ");
                string? answer = (await console.In.ReadLineAsync(cancellationToken))?.Trim();
                if (answer is null || !(answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)))
                {
                    console.Error.WriteLine("Not deleted.");
                    return ExitCodes.Failed;
                }
            }

            await store.Sessions.DeleteAsync(session.Id, cancellationToken);
            console.Error.WriteLine($"Deleted session {session.Id}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Export()
    {
        var id = new Argument<string>("id") { Description = IdHelp };
        var format = new Option<string?>("--format", "-f") { Description = "json (default; full fidelity) or md (Markdown, for people); default md for an --output ending in .md" };
        format.AcceptOnlyFromAmong("json", "md");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Export a session as JSON or Markdown") { id, format, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string? file = result.GetValue(output);
            bool markdown = (result.GetValue(format) ?? (file?.EndsWith(".md", StringComparison.OrdinalIgnoreCase) == true ? "md" : "json")) == "md";
            await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
            (SessionRecord? session, int exitCode) = await store.FindAsync(console, result.GetValue(id)!, cancellationToken);
            if (session is null)
            {
                return exitCode;
            }

            string text = markdown
                ? await store.Sessions.ExportMarkdownAsync(session.Id, cancellationToken)
                : await store.Sessions.ExportJsonAsync(session.Id, cancellationToken);
            if (file is null)
            {
                await console.Out.WriteLineAsync(text.TrimEnd());
                return ExitCodes.Success;
            }

            try
            {
                string path = Path.GetFullPath(file);
                await File.WriteAllTextAsync(path, text.TrimEnd() + "\n", cancellationToken);
                console.Error.WriteLine($"Wrote {path}.");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: could not write {file}: {ex.Message}");
                console.Error.WriteLine("hint: check the folder exists and is writable, or leave out --output to print to standard output.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
