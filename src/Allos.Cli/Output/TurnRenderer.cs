using System.Globalization;
using System.Text.Json;
using Allos.Agents;
using Allos.Tools;

namespace Allos.Cli.Output;

/// <summary>
/// Shows a turn as it happens: the answer streams to standard output (light Markdown on a terminal), each tool call is one
/// line with its status on standard error, a spinner runs while waiting, and a footer gives tokens, cost and time.
/// </summary>
internal sealed class TurnRenderer : IDisposable
{
    private readonly CliConsole _console;
    private readonly bool _quiet;
    private readonly bool _markdown;
    private readonly Spinner _spinner;
    private readonly StreamingMarkdown _renderer = new();

    // Calls started and not completed: a cancelled or failed turn ends them with a ✗ line, never silently.
    private readonly List<ToolCallStartedEvent> _running = [];
    private bool _textOpen;

    public TurnRenderer(CliConsole console, bool quiet)
    {
        _console = console;
        _quiet = quiet;
        _markdown = console.OutputIsTerminal && console.Colors;
        _spinner = new Spinner(console.Error, console.Colors && !quiet);
    }

    /// <summary>Gets the tool calls seen in this turn, for the JSON report.</summary>
    public List<ToolCallCompletedEvent> ToolCalls { get; } = [];

    public void Begin() => _spinner.Start("thinking");

    /// <summary>Stops the spinner until the next event starts it again.</summary>
    public void PauseSpinner() => _spinner.Stop();

    public void Handle(RunEvent e)
    {
        switch (e)
        {
            case TextDeltaEvent text:
                _spinner.Stop();
                Write(text.Text);
                break;
            case ToolCallStartedEvent started:
                _spinner.Stop();
                EndText();
                _running.Add(started);
                _spinner.Start($"{started.ToolName}");
                break;
            case ToolCallProgressEvent progress:
                _spinner.Relabel(ProgressLabel(progress));
                break;
            case ApprovalRequestedEvent:
                _spinner.Stop();
                break;
            case ToolCallCompletedEvent completed:
                _spinner.Stop();
                _running.RemoveAll(call => call.CallId == completed.CallId);
                ToolCalls.Add(completed);
                if (!_quiet)
                {
                    _console.Error.WriteLine(ToolLine(completed));
                }

                _spinner.Start("thinking");
                break;
            case HandoffEvent handoff:
                _spinner.Stop();
                EndText();
                if (!_quiet)
                {
                    _console.Error.WriteLine($"→ handed off from {handoff.Agent} to {handoff.To}{(handoff.Reason is null ? "" : $": {handoff.Reason}")}");
                }

                break;
            case RunCompletedEvent completed:
                _spinner.Stop();
                EndText();
                Unfinished(completed.Result.Status == RunStatus.Cancelled);
                break;
        }
    }

    /// <summary>Shows the tool calls that started and never completed (the turn was cancelled or failed) as not done.</summary>
    public void Unfinished(bool cancelled)
    {
        _spinner.Stop();
        foreach (ToolCallStartedEvent call in _running)
        {
            if (!_quiet)
            {
                _console.Error.WriteLine($"  ✗ {call.ToolName} {Summary(call.ArgumentsJson)} — {(cancelled ? "cancelled" : "not completed")}");
            }
        }

        _running.Clear();
    }

    /// <summary>Prints the footer: tokens, cost and time (not with <c>--quiet</c>).</summary>
    public void Footer(RunResult result, TimeSpan elapsed, string model)
    {
        _spinner.Stop();
        EndText();
        if (_quiet)
        {
            return;
        }

        string cost = Money.Format(result.Cost);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{result.Usage.InputTokenCount ?? 0:N0} in · {result.Usage.OutputTokenCount ?? 0:N0} out · {cost} · {elapsed.TotalSeconds:0.0} s · {model}");
        _console.Error.WriteLine(_console.Colors ? $"\u001b[2m{line}\u001b[0m" : line);
    }

    public void Dispose() => _spinner.Dispose();

    /// <summary>The spinner's text while a call reports progress: "mcp__files__copy 3/10 copying a.txt" (the amount alone without a total).</summary>
    internal static string ProgressLabel(ToolCallProgressEvent e)
    {
        ToolProgress p = e.Progress;
        string amount = p.Total is > 0 and double total
            ? $"{p.Progress.ToString("0.##", CultureInfo.InvariantCulture)}/{total.ToString("0.##", CultureInfo.InvariantCulture)}"
            : p.Progress.ToString("0.##", CultureInfo.InvariantCulture);
        return p.Message is { } message ? $"{e.ToolName} {amount} {Flatten(message)}" : $"{e.ToolName} {amount}";

        // A server's message must not break the one-line status (newlines, escape sequences).
        static string Flatten(string text)
        {
            string line = new([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
            return line.Length > 60 ? line[..59] + "…" : line;
        }
    }

    internal static string ToolLine(ToolCallCompletedEvent call)
    {
        string? failure = call.Outcome == ToolCallOutcome.Error ? FirstLine(call.Output) : call.Outcome == ToolCallOutcome.Ok ? Failure(call.Output) : null;
        string mark = call.Outcome == ToolCallOutcome.Denied ? "⊘ denied" : failure is null ? "✓" : "✗";
        string detail = failure is null ? string.Empty : $" — {failure}";
        return $"  {mark} {call.ToolName} {Summary(call.ArgumentsJson)} ({call.Duration.TotalMilliseconds:0} ms){detail}";
    }

    /// <summary>
    /// Says why a result the tool returned is still a failure for the person watching: a command that exited non-zero,
    /// an HTTP error status, a tool that answered with an error text; <see langword="null"/> when it did its job.
    /// </summary>
    internal static string? Failure(string output)
    {
        if (output.StartsWith("Error:", StringComparison.Ordinal))
        {
            return FirstLine(output);
        }

        string first = FirstLine(output);
        if (first.StartsWith("Exit code: ", StringComparison.Ordinal) && first != "Exit code: 0")
        {
            return "exit " + first["Exit code: ".Length..];
        }

        string[] head = output.Split('\n', 3);
        if (head.Length > 1 && head[0].StartsWith("URL: ", StringComparison.Ordinal) && head[1].StartsWith("Status: ", StringComparison.Ordinal)
            && int.TryParse(head[1].AsSpan(8, Math.Min(3, head[1].Length - 8)), NumberStyles.None, CultureInfo.InvariantCulture, out int status) && status >= 400)
        {
            return "HTTP " + head[1][8..].TrimEnd('\r');
        }

        return null;
    }

    /// <summary>Returns the one argument that says most about a call (a path, a command, a pattern), shortened.</summary>
    internal static string Summary(string argumentsJson)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return string.Empty;
            }

            foreach (string name in new[] { "path", "command", "pattern", "url", "query" })
            {
                if (document.RootElement.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String)
                {
                    return ApprovalPrompt.Shorten(value.GetString()!);
                }
            }

            return string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return ApprovalPrompt.Shorten(newline < 0 ? text : text[..newline]);
    }

    private void Write(string text)
    {
        _textOpen = true;
        if (!_markdown)
        {
            _console.Out.Write(text);
            _console.Out.Flush();
            return;
        }

        _console.Out.Write(_renderer.Write(text));
        _console.Out.Flush();
    }

    private void EndText()
    {
        if (!_textOpen)
        {
            return;
        }

        if (_markdown)
        {
            _console.Out.Write(_renderer.Flush());
        }

        _console.Out.WriteLine();
        _console.Out.Flush();
        _textOpen = false;
    }
}
