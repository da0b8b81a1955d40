using System.CommandLine;
using System.Globalization;
using Allos.Cli.Admin;
using Allos.Cli.Output;
using Allos.Cli.Settings;
using Allos.Storage;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos sessions list | show ID | resume ID | delete ID | export ID | search TEXT</c>: the conversations kept in the store.</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var command = new Command("sessions", "List, show, resume, delete, export and search the saved conversations");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Resume());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Search());
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
        var command = new Command("list", "Saved sessions, newest first") { limit };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            IReadOnlyList<SessionRecord> sessions = await store.Sessions.ListAsync(new SessionQuery { Limit = result.GetValue(limit) }, cancellationToken);
            if (sessions.Count == 0)
            {
                console.Error.WriteLine("No sessions yet: `allos run \"…\"` or `allos chat` starts one.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("id", "title", "agent", "model", "messages", "tokens", "cost", "updated");
            foreach (SessionRecord session in sessions)
            {
                IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
                table.AddRow(
                    Markup.Escape(session.Id),
                    Markup.Escape(ConversationView.Title(session, messages.Select(message => message.Message))),
                    Markup.Escape(session.Agent ?? "-"),
                    Markup.Escape(session.Model ?? "-"),
                    messages.Count.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(ConversationView.Tokens(session)),
                    Markup.Escape(session.Cost is null ? "?" : Money.Format(session.Cost)),
                    ConversationView.Time(session.Updated));
            }

            console.RichOut.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The session id (see `allos sessions list`)" };
        var command = new Command("show", "Print a session's conversation: roles, text, and each tool call on one line") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            if (await store.FindAsync(console, result.GetValue(id)!, cancellationToken) is not SessionRecord session)
            {
                return ExitCodes.Failed;
            }

            IReadOnlyList<StoredMessage> messages = await store.Store.Sessions.GetMessagesAsync(session.Id, cancellationToken);
            ConversationView.Write(console.RichOut, session, [.. messages.Select(message => message.Message)]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Resume()
    {
        var id = new Argument<string>("id") { Description = "The session id (see `allos sessions list`)" };
        var command = new Command("resume", "Continue a session in a chat (the same as `allos chat --session ID`)") { id };

        // The chat flags that make sense for a resumed conversation (its session is the argument).
        var flags = new RunFlags();
        foreach (Option option in new Option[] { flags.Model, flags.Provider, flags.Tools, flags.AutoApprove, flags.Autonomy, flags.Agent, flags.System, flags.MaxIterations, flags.Cwd, flags.NoStream, flags.Verbose, flags.Quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string sessionId;
            await using (AdminStore store = await AdminStore.OpenAsync(cancellationToken))
            {
                if (await store.FindAsync(console, result.GetValue(id)!, cancellationToken) is not SessionRecord session)
                {
                    return ExitCodes.Failed;
                }

                sessionId = session.Id;
            }

            return await ChatCommand.ExecuteAsync(flags.Read(result) with { Session = sessionId });
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("id") { Description = "The session id (see `allos sessions list`)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking" };
        var command = new Command("delete", "Delete a session and its messages (asks first on a terminal)") { id, yes };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            if (await store.FindAsync(console, result.GetValue(id)!, cancellationToken) is not SessionRecord session)
            {
                return ExitCodes.Failed;
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
        var id = new Argument<string>("id") { Description = "The session id (see `allos sessions list`)" };
        var format = new Option<string?>("--format", "-f") { Description = "json (default; full fidelity) or md (Markdown, for people); default md for an --output ending in .md" };
        format.AcceptOnlyFromAmong("json", "md");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Export a session as JSON or Markdown") { id, format, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string? file = result.GetValue(output);
            bool markdown = (result.GetValue(format) ?? (file?.EndsWith(".md", StringComparison.OrdinalIgnoreCase) == true ? "md" : "json")) == "md";
            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            if (await store.FindAsync(console, result.GetValue(id)!, cancellationToken) is not SessionRecord session)
            {
                return ExitCodes.Failed;
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

    private static Command Search()
    {
        var text = new Argument<string[]>("text") { Arity = ArgumentArity.OneOrMore, Description = "Words to find (all must match; a word ending in * matches as a prefix)" };
        var limit = new Option<int>("--limit", "-n") { Description = "Most messages to show (default 20)", DefaultValueFactory = _ => 20 };
        var command = new Command("search", "Find messages by their text across sessions") { text, limit };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string query = string.Join(' ', result.GetValue(text) ?? []).Trim();
            if (query.Length == 0)
            {
                console.Error.WriteLine("error: nothing to search for. Pass some words: allos sessions search \"web scraper\"");
                return ExitCodes.Usage;
            }

            await using AdminStore store = await AdminStore.OpenAsync(cancellationToken);
            IReadOnlyList<SearchHit> hits = await store.Sessions.SearchAsync(query, Math.Max(1, result.GetValue(limit)), cancellationToken);
            if (hits.Count == 0)
            {
                console.Error.WriteLine($"No message matches '{query}'.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("session", "#", "role", "snippet");
            foreach (SearchHit hit in hits)
            {
                table.AddRow(
                    Markup.Escape(hit.SessionId),
                    hit.Sequence.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(hit.Message.Role.Value),
                    Highlight(hit.Snippet, console.OutputIsTerminal));
            }

            console.RichOut.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>On a terminal the matched words are highlighted instead of bracketed; redirected, the brackets stay (they are the only marking).</summary>
    private static string Highlight(string snippet, bool terminal)
    {
        string flat = snippet.ReplaceLineEndings(" ");
        if (!terminal)
        {
            return Markup.Escape(flat);
        }

        // Split on the markers: even pieces are plain text, odd ones the matched words.
        string[] pieces = flat.Split('[', ']');
        var builder = new System.Text.StringBuilder();
        for (int i = 0; i < pieces.Length; i++)
        {
            builder.Append(i % 2 == 1 ? $"[bold yellow]{Markup.Escape(pieces[i])}[/]" : Markup.Escape(pieces[i]));
        }

        return builder.ToString();
    }
}
