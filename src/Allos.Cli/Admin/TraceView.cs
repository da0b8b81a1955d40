using System.Globalization;
using Allos.Agents;
using Allos.Cli.Output;
using Allos.Security;
using Allos.Storage;

namespace Allos.Cli.Admin;

/// <summary>
/// Prints a session's stored run steps (<c>allos sessions show ID --trace</c>): one line per step with its time, agent,
/// kind, model or tool, input → output (trimmed), status, tokens and latency.
/// </summary>
internal static class TraceView
{
    private const int MaxText = 60;

    public static void Write(TextWriter writer, IReadOnlyList<StoredRunStep> steps)
    {
        writer.WriteLine();
        if (steps.Count == 0)
        {
            writer.WriteLine("trace: no run steps stored for this session.");
            return;
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace ({steps.Count} steps, {steps.Select(step => step.RunId).Distinct().Count()} runs)"));
        string? run = null;
        foreach (StoredRunStep stored in steps)
        {
            if (stored.RunId != run)
            {
                run = stored.RunId;
                writer.WriteLine($"run {run}");
            }

            writer.WriteLine(Line(stored.Step));
        }
    }

    public static string Line(RunStep step)
    {
        var parts = new List<string>
        {
            step.Time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            step.Agent,
            Kind(step.Kind),
        };
        if ((step.Kind == RunStepKind.ModelCall ? step.Model : step.ToolName ?? step.Model) is { Length: > 0 } what)
        {
            parts.Add(what);
        }

        string input = Trim(step.Input);
        string output = Trim(step.Output);
        if (input.Length > 0 || output.Length > 0)
        {
            parts.Add(input.Length > 0 && output.Length > 0 ? $"{input} → {output}" : input.Length > 0 ? input : $"→ {output}");
        }

        if (step.Status is { Length: > 0 } status)
        {
            parts.Add(status);
        }

        if (step.InputTokens is not null || step.OutputTokens is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{step.InputTokens ?? 0:N0} in / {step.OutputTokens ?? 0:N0} out"));
        }

        parts.Add(step.LatencyMs >= 1000
            ? string.Create(CultureInfo.InvariantCulture, $"{step.LatencyMs / 1000:0.0} s")
            : string.Create(CultureInfo.InvariantCulture, $"{step.LatencyMs:0} ms"));
        return "  " + string.Join("  ", parts);
    }

    private static string Kind(RunStepKind kind) => kind switch
    {
        RunStepKind.ModelCall => "model",
        RunStepKind.ToolCall => "tool",
        RunStepKind.Respond => "answer",
        RunStepKind.Handoff => "handoff",
        RunStepKind.Approval => "approval",
        _ => kind.ToString().ToLowerInvariant(),
    };

    // Stored inputs are tool arguments as the model wrote them: a key pasted into a prompt must not reach the screen.
    private static string Trim(string? text) =>
        text is null ? "" : SessionsTable.Cut(ApprovalPrompt.Shorten(SecretRedactor.Redact(text.Trim()) ?? ""), MaxText);
}
