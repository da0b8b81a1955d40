using System.Globalization;
using System.Text.Json;
using Allos.Cli.Output;
using Allos.Storage;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace Allos.Cli.Admin;

/// <summary>Renders a stored session for people: a header, then each message with its role, its text, and each tool call on one line.</summary>
internal static class ConversationView
{
    public static void Write(IAnsiConsole console, SessionRecord record, IReadOnlyList<ChatMessage> messages)
    {
        string title = Title(record, messages);
        console.MarkupLine($"[bold]session {Markup.Escape(record.Id)}[/]" + (title.Length > 0 ? $"  {Markup.Escape(title)}" : ""));
        console.MarkupLine(Markup.Escape(
            $"agent {record.Agent ?? "-"} · model {record.Model ?? "-"} · {messages.Count} messages · {Tokens(record)} · {Money.Format(record.Cost)} · " +
            $"created {Time(record.Created)} · updated {Time(record.Updated)}"));

        // Results are shown on their call's line, so the tool messages that carry them add nothing of their own.
        Dictionary<string, FunctionResultContent> results = messages
            .SelectMany(message => message.Contents.OfType<FunctionResultContent>())
            .Where(result => result.CallId is { Length: > 0 })
            .GroupBy(result => result.CallId)
            .ToDictionary(group => group.Key, group => group.Last(), StringComparer.Ordinal);
        var shownResults = new HashSet<string>(StringComparer.Ordinal);

        foreach (ChatMessage message in messages)
        {
            var lines = new List<string>();
            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        lines.AddRange(text.Text.TrimEnd().Split('\n').Select(line => Markup.Escape("  " + line.TrimEnd('\r'))));
                        break;
                    case TextReasoningContent { Text.Length: > 0 } reasoning:
                        lines.Add($"[dim]  (reasoning) {Markup.Escape(ApprovalPrompt.Shorten(reasoning.Text))}[/]");
                        break;
                    case FunctionCallContent call:
                        string summary = TurnRenderer.Summary(Arguments(call));
                        string outcome = results.TryGetValue(call.CallId, out FunctionResultContent? callResult) && shownResults.Add(call.CallId)
                            ? " → " + FirstLine(ResultText(callResult))
                            : "";
                        lines.Add($"  [yellow]⚙[/] {Markup.Escape($"{call.Name} {summary}".TrimEnd() + outcome)}");
                        break;
                    case FunctionResultContent result when !shownResults.Contains(result.CallId):
                        lines.Add(Markup.Escape($"  ← result of {result.CallId}: {FirstLine(ResultText(result))}"));
                        break;
                    case DataContent data:
                        lines.Add(Markup.Escape($"  [{data.MediaType}, {data.Data.Length} bytes]"));
                        break;
                    case UriContent uri:
                        lines.Add(Markup.Escape($"  [{uri.MediaType}: {uri.Uri}]"));
                        break;
                }
            }

            if (lines.Count == 0)
            {
                continue;
            }

            console.WriteLine();
            console.MarkupLine(Role(message));
            foreach (string line in lines)
            {
                console.MarkupLine(line);
            }
        }
    }

    /// <summary>Gets the session's title, else the first words the user wrote (for <c>sessions list</c>).</summary>
    public static string Title(SessionRecord record, IEnumerable<ChatMessage> messages)
    {
        if (!string.IsNullOrWhiteSpace(record.Title))
        {
            return record.Title.Trim();
        }

        string? first = messages.FirstOrDefault(message => message.Role == ChatRole.User && !string.IsNullOrWhiteSpace(message.Text))?.Text;
        if (first is null)
        {
            return "";
        }

        string flat = string.Join(' ', first.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 48 ? flat : flat[..47] + "…";
    }

    /// <summary>What a resumed chat shows first: the session, its model, the last thing the user asked and the last answer, trimmed.</summary>
    public static IEnumerable<string> Recap(SessionRecord record, string shortId, IReadOnlyList<ChatMessage> messages)
    {
        yield return $"resuming session {shortId} · {record.Agent ?? "-"} · {record.Model ?? "-"} · {messages.Count} messages";
        if (messages.LastOrDefault(message => message.Role == ChatRole.User && !string.IsNullOrWhiteSpace(message.Text)) is { } asked)
        {
            yield return "  you:   " + Trimmed(asked.Text);
        }

        if (messages.LastOrDefault(message => message.Role == ChatRole.Assistant && !string.IsNullOrWhiteSpace(message.Text)) is { } answer)
        {
            yield return $"  {answer.AuthorName ?? "allos"}: " + Trimmed(answer.Text);
        }
    }

    private static string Trimmed(string text)
    {
        string flat = string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 120 ? flat : flat[..119] + "…";
    }

    public static string Tokens(SessionRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"{record.InputTokens:N0} in / {record.OutputTokens:N0} out");


    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Role(ChatMessage message)
    {
        if (message.Role == ChatRole.User)
        {
            return "[bold green]user[/]";
        }

        if (message.Role == ChatRole.Assistant)
        {
            return message.AuthorName is { Length: > 0 } name ? $"[bold blue]assistant ({Markup.Escape(name)})[/]" : "[bold blue]assistant[/]";
        }

        return message.Role == ChatRole.Tool ? "[bold]tool[/]" : $"[bold]{Markup.Escape(message.Role.Value)}[/]";
    }

    private static string Arguments(FunctionCallContent call)
    {
        var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));
        return JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), typeInfo);
    }

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } error ? "Error: " + error.Message : "",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        JsonElement element => element.GetRawText(),
        TextContent text => text.Text,

        // Text and images from a tool (an MCP screenshot): the text, and each image as a line, never its base64.
        IEnumerable<AIContent> parts => string.Join("\n", parts.Select(part => part switch
        {
            TextContent text => text.Text,
            DataContent data => $"[{data.MediaType}, {data.Data.Length} bytes]",
            _ => "",
        }).Where(line => line.Length > 0)),
        var other => other.ToString() ?? "",
    };

    private static string FirstLine(string text)
    {
        string trimmed = text.Trim();
        int newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        string line = newline < 0 ? trimmed : trimmed[..newline].TrimEnd() + " …";
        return ApprovalPrompt.Shorten(line.Length <= 100 ? line : line[..99] + "…");
    }
}
