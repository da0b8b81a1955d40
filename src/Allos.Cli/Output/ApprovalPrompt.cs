using System.Text;
using System.Text.Json;
using Allos.Agents;
using Allos.Cli.Hosting;

namespace Allos.Cli.Output;

/// <summary>Asks before a tool acts: shows the tool and its arguments (a diff for file edits) and reads the answer.</summary>
/// <remarks>
/// On a terminal one key answers (y / n / a / d, or t to deny with a note for the model); on a pipe a line does
/// ("n: use the tests folder instead" is a denial with a note). "a" and "d" are remembered for the rest of the session.
/// End of input denies, so a script that runs out of answers never hangs and never approves by accident.
/// </remarks>
internal sealed class ApprovalPrompt(CliConsole console, string workspace)
{
    /// <summary>The denial reason when standard input ended before an answer.</summary>
    public const string NoAnswer = "no answer";

    private const int MaxValueLength = 200;

    // Short enough for an 80-column terminal; README spells out what a and d hold for.
    private const string Choices = "Allow? [y]es / [n]o / [a]lways / [d]eny always / [t]ell the model why not: ";
    private readonly Dictionary<string, bool> _always = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Allowed, int Denied)> _given = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The reason the model reads for a denial that carries the user's note.</summary>
    public static string NoteReason(string note) => $"note: {note.Trim()}";

    /// <summary>Returns the handler a runner uses: it asks, and stops the current turn when input ended before an answer.</summary>
    public ApprovalHandler Handler(Func<TurnExecution?> currentTurn) => async (approval, cancellationToken) =>
    {
        ApprovalDecision decision = await AskAsync(approval, cancellationToken);
        if (decision is { Approved: false, Reason: NoAnswer })
        {
            currentTurn()?.StopUnanswered(approval.ToolName);
        }

        return decision;
    };

    /// <summary>Says what was answered for <paramref name="tool"/> in this session ("allowed always", "denied 2×"), or <see langword="null"/> when nothing was.</summary>
    public string? AnswersFor(string tool)
    {
        lock (_gate)
        {
            if (_always.TryGetValue(tool, out bool allowed))
            {
                return allowed ? "allowed always" : "denied always";
            }

            return _given.TryGetValue(tool, out (int Allowed, int Denied) given)
                ? string.Join(", ", new[] { given.Allowed > 0 ? $"allowed {given.Allowed}×" : null, given.Denied > 0 ? $"denied {given.Denied}×" : null }.OfType<string>())
                : null;
        }
    }

    public ValueTask<ApprovalDecision> AskAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_always.TryGetValue(request.ToolName, out bool allowed) && !(allowed && request.Escalated))
            {
                return ValueTask.FromResult(allowed ? ApprovalDecision.Approve(request.ApprovalId) : ApprovalDecision.Deny(request.ApprovalId, reason: "for the rest of this session"));
            }

            TextWriter error = console.Error;
            error.WriteLine();
            error.WriteLine($"{request.ToolName} wants to run ({Why(request)})");
            foreach (string line in Describe(request, console.Colors))
            {
                error.WriteLine("  " + line);
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                error.Write(Choices);
                error.Flush();
                Answer answer = console.InputIsTerminal ? ReadKey(cancellationToken) : Parse(console.In.ReadLine());
                if (answer.Invalid is { } invalid)
                {
                    error.WriteLine($"'{invalid}' is not an answer: type y, n, a, d or t{(console.InputIsTerminal ? "" : " (or n: NOTE to deny with a note)")}.");
                    continue;
                }

                ApprovalDecision decision = answer.Kind switch
                {
                    'y' => ApprovalDecision.Approve(request.ApprovalId),
                    'a' => ApprovalDecision.Approve(request.ApprovalId, always: true),
                    'd' => ApprovalDecision.Deny(request.ApprovalId, always: true, reason: "for the rest of this session"),
                    'n' when answer.Note is { } note => ApprovalDecision.Deny(request.ApprovalId, reason: NoteReason(note)),
                    'n' => ApprovalDecision.Deny(request.ApprovalId),
                    _ => ApprovalDecision.Deny(request.ApprovalId, reason: NoAnswer),
                };
                if (answer.Kind == '\0')
                {
                    error.WriteLine("(no answer: denied)");
                    return ValueTask.FromResult(decision);
                }

                Remember(request.ToolName, decision);
                return ValueTask.FromResult(decision);
            }
        }
    }

    /// <summary>An answer: y, n (with an optional note), a, d; '\0' when input ended; or the text that is not an answer.</summary>
    internal readonly record struct Answer(char Kind, string? Note = null, string? Invalid = null);

    /// <summary>Why the call asks, without the tool's name again ("writes files", not "'write_file' writes files").</summary>
    private static string Why(ApprovalRequest request)
    {
        string prefix = $"'{request.ToolName}' ";
        return request.Reason.StartsWith(prefix, StringComparison.Ordinal) ? request.Reason[prefix.Length..] : request.Reason;
    }

    private void Remember(string tool, ApprovalDecision decision)
    {
        if (decision.AlwaysForTool)
        {
            _always[tool] = decision.Approved;
            return;
        }

        (int allowed, int denied) = _given.GetValueOrDefault(tool);
        _given[tool] = decision.Approved ? (allowed + 1, denied) : (allowed, denied + 1);
    }

    /// <summary>Reads a line answer (standard input is a pipe): a word, or "n: NOTE" / "t NOTE" to deny with a note.</summary>
    internal static Answer Parse(string? line)
    {
        if (line is null)
        {
            return new Answer('\0');
        }

        string text = line.Trim();
        switch (text.ToLowerInvariant())
        {
            case "y" or "yes":
                return new Answer('y');
            case "n" or "no" or "" or "t" or "tell":
                return new Answer('n');
            case "a" or "always":
                return new Answer('a');
            case "d" or "deny" or "deny always":
                return new Answer('d');
        }

        int split = text.IndexOfAny([':', ' ']);
        string word = split > 0 ? text[..split].ToLowerInvariant() : "";
        string note = split > 0 ? text[(split + 1)..].TrimStart(':', ' ').Trim() : "";
        return word is "n" or "no" or "t" or "tell" && note.Length > 0 ? new Answer('n', note) : new Answer('?', Invalid: text);
    }

    /// <summary>
    /// Reads one key on a terminal (no Enter needed); t asks for the note on the same line. Polls, so Ctrl+C (which
    /// cancels the turn) ends the question at once; a blocked read would wait for a key and swallow it.
    /// </summary>
    private Answer ReadKey(CancellationToken cancellationToken)
    {
        ConsoleKeyInfo key = NextKey(cancellationToken);
        if (key.Key == ConsoleKey.D && key.Modifiers.HasFlag(ConsoleModifiers.Control))
        {
            console.Error.WriteLine();
            return new Answer('\0');
        }

        char kind = key.Key is ConsoleKey.Enter or ConsoleKey.Escape ? 'n' : char.ToLowerInvariant(key.KeyChar);
        string? word = kind switch
        {
            'y' => "yes",
            'n' => "no",
            'a' => "always",
            'd' => "deny always",
            't' => "no, and tell the model: ",
            _ => null,
        };
        if (word is null)
        {
            console.Error.WriteLine(char.IsControl(key.KeyChar) ? key.Key.ToString() : key.KeyChar.ToString());
            return new Answer('?', Invalid: char.IsControl(key.KeyChar) ? key.Key.ToString() : key.KeyChar.ToString());
        }

        console.Error.Write(word);
        if (kind != 't')
        {
            console.Error.WriteLine();
            return new Answer(kind);
        }

        string? note = ReadTerminalLine(cancellationToken);
        return note is null ? new Answer('\0') : new Answer('n', string.IsNullOrWhiteSpace(note) ? null : note.Trim());
    }

    private static ConsoleKeyInfo NextKey(CancellationToken cancellationToken)
    {
        while (!Console.KeyAvailable)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(25);
        }

        return Console.ReadKey(intercept: true);
    }

    /// <summary>Reads a line key by key (the note after t), echoing it, with Backspace.</summary>
    private string? ReadTerminalLine(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = NextKey(cancellationToken);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    console.Error.WriteLine();
                    return line.ToString();
                case ConsoleKey.Backspace when line.Length > 0:
                    line.Length--;
                    console.Error.Write("\b \b");
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Append(key.KeyChar);
                        console.Error.Write(key.KeyChar);
                    }

                    break;
            }
        }
    }

    /// <summary>Returns the lines shown for a request: each argument shortened, and for file writes and edits a diff preview.</summary>
    internal IReadOnlyList<string> Describe(ApprovalRequest request, bool colors = false)
    {
        var lines = new List<string>();
        JsonElement arguments;
        try
        {
            arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(request.ArgumentsJson) ? "{}" : request.ArgumentsJson).RootElement;
        }
        catch (JsonException)
        {
            lines.Add(Shorten(request.ArgumentsJson));
            return lines;
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            lines.Add(Shorten(arguments.GetRawText()));
            return lines;
        }

        string? path = arguments.TryGetProperty("path", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (request.ToolName is "write_file" or "edit_file" && path is not null)
        {
            lines.Add($"path: {path}");
            lines.AddRange(DiffPreview.For(request.ToolName, workspace, path, arguments, colors));
            return lines;
        }

        foreach (JsonProperty property in arguments.EnumerateObject())
        {
            string value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            lines.Add($"{property.Name}: {Shorten(value)}");
        }

        return lines;
    }

    internal static string Shorten(string value)
    {
        string flat = value.ReplaceLineEndings("⏎");
        if (flat.Length <= MaxValueLength)
        {
            return flat;
        }

        var builder = new StringBuilder(flat, 0, MaxValueLength - 40, MaxValueLength + 40);
        builder.Append($"… (+{flat.Length - (MaxValueLength - 40)} chars)");
        return builder.ToString();
    }
}
