using System.Text;
using System.Text.Json;
using Allos.Agents;
using Allos.Cli.Hosting;

namespace Allos.Cli.Output;

/// <summary>Asks before a tool acts: shows the tool and its arguments (a diff for file edits) and reads y / n / a / d.</summary>
/// <remarks>
/// Answers are read from standard input, a terminal or a pipe. "a" and "d" are remembered for the rest of the session.
/// End of input denies, so a script that runs out of answers never hangs and never approves by accident.
/// </remarks>
internal sealed class ApprovalPrompt(CliConsole console, string workspace)
{
    /// <summary>The denial reason when standard input ended before an answer.</summary>
    public const string NoAnswer = "no answer";

    private const int MaxValueLength = 200;
    private readonly Dictionary<string, bool> _always = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

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

    public ValueTask<ApprovalDecision> AskAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_always.TryGetValue(request.ToolName, out bool allowed) && !(allowed && request.Escalated))
            {
                return ValueTask.FromResult(allowed ? ApprovalDecision.Approve(request.ApprovalId) : ApprovalDecision.Deny(request.ApprovalId, reason: "denied always for this session"));
            }

            TextWriter error = console.Error;
            error.WriteLine();
            error.WriteLine($"{request.ToolName} wants to run ({request.Risk.ToString().ToLowerInvariant()}): {request.Reason}");
            foreach (string line in Describe(request))
            {
                error.WriteLine("  " + line);
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                error.Write("Allow? [y]es / [n]o / [a]lways for this tool / [d]eny always: ");
                error.Flush();
                string? answer = console.InputIsTerminal ? ReadTerminalLine(cancellationToken) : console.In.ReadLine();
                if (answer is null)
                {
                    error.WriteLine();
                    error.WriteLine("(no answer: denied)");
                    return ValueTask.FromResult(ApprovalDecision.Deny(request.ApprovalId, reason: NoAnswer));
                }

                switch (answer.Trim().ToLowerInvariant())
                {
                    case "y" or "yes":
                        return ValueTask.FromResult(ApprovalDecision.Approve(request.ApprovalId));
                    case "n" or "no" or "":
                        return ValueTask.FromResult(ApprovalDecision.Deny(request.ApprovalId, reason: "the user said no"));
                    case "a" or "always":
                        _always[request.ToolName] = true;
                        return ValueTask.FromResult(ApprovalDecision.Approve(request.ApprovalId, always: true));
                    case "d" or "deny":
                        _always[request.ToolName] = false;
                        return ValueTask.FromResult(ApprovalDecision.Deny(request.ApprovalId, always: true, reason: "the user denied this tool for the session"));
                }
            }
        }
    }

    /// <summary>
    /// Reads an answer key by key, so Ctrl+C (which cancels the turn) ends the question at once; a blocked
    /// <see cref="TextReader.ReadLine"/> would wait for Enter, and an abandoned one would swallow the next line.
    /// </summary>
    private string? ReadTerminalLine(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            while (!Console.KeyAvailable)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(25);
            }

            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
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
    internal IReadOnlyList<string> Describe(ApprovalRequest request)
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
            lines.AddRange(DiffPreview.For(request.ToolName, workspace, path, arguments));
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
