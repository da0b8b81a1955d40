using System.CommandLine;
using System.Globalization;
using Allos.Cli.Admin;
using Allos.Storage;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos sessions search TEXT</c>: messages across sessions whose text, tool calls or tool results hold every word.</summary>
internal static class SessionsSearchCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("text") { Arity = ArgumentArity.OneOrMore, Description = "Words to find (all must match; a word ending in * matches as a prefix, e.g. 'scrap*')" };
        var limit = new Option<int>("--limit", "-n") { Description = "Most messages to show (default 20)", DefaultValueFactory = _ => 20 };
        var command = new Command("search", "Find messages across sessions by their text, tool calls (name, arguments) and tool results") { text, limit };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string query = string.Join(' ', result.GetValue(text) ?? []).Trim();
            if (query.Trim('*', ' ').Length == 0)
            {
                console.Error.WriteLine("error: nothing to search for. Pass some words: allos sessions search \"web scraper\"");
                return ExitCodes.Usage;
            }

            await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
            IReadOnlyList<SearchHit> hits = await store.Sessions.SearchAsync(query, Math.Max(1, result.GetValue(limit)), cancellationToken);
            if (hits.Count == 0)
            {
                console.Error.WriteLine($"No message matches '{query}'.");
                return ExitCodes.Success;
            }

            IReadOnlyList<SessionRecord> all = await store.Store.Sessions.ListAsync(new SessionQuery { Limit = int.MaxValue }, cancellationToken);
            Dictionary<string, string> shortIds = SessionLookup.ShortIds(hits.Select(hit => hit.SessionId).Distinct(), [.. all.Select(session => session.Id)]);
            var table = new Table().AddColumns("session", "#", "role", "snippet");
            foreach (SearchHit hit in hits)
            {
                table.AddRow(
                    Markup.Escape(shortIds[hit.SessionId]),
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
