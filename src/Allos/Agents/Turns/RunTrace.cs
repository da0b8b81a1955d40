using System.Diagnostics;
using System.Text.Json;
using Allos.Security;
using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>Records the steps of a run; what it keeps (inputs, outputs, arguments) is redacted and capped.</summary>
internal sealed class RunTrace(TimeProvider time)
{
    private const int TextLimit = 2_000;

    public DateTimeOffset Now => time.GetUtcNow();

    public RunStep Step(RunState state, RunStepKind kind, string agent, string? model = null, string? toolName = null, string? callId = null,
        string? input = null, string? output = null, string? status = null, UsageDetails? usage = null,
        DateTimeOffset? started = null, long? timestamp = null, double? latencyMs = null)
    {
        var step = new RunStep(
            started ?? time.GetUtcNow(), kind, agent, model, toolName, callId, Truncate(SecretRedactor.Redact(input)), Truncate(SecretRedactor.Redact(output)), status,
            usage?.InputTokenCount, usage?.OutputTokenCount, usage?.CachedInputTokenCount, usage?.ReasoningTokenCount,
            latencyMs ?? (timestamp is long t ? Stopwatch.GetElapsedTime(t).TotalMilliseconds : 0));
        state.Steps.Add(step);
        return step;
    }

    /// <summary>The arguments as shown and recorded (events, approvals, the trace), with known secrets redacted; the tool still gets them as sent.</summary>
    public static string ArgumentsJson(FunctionCallContent call) =>
        call.Arguments is null ? "{}" : SecretRedactor.Redact(JsonSerializer.Serialize(call.Arguments, AllosJson.TypeInfo(typeof(IDictionary<string, object?>))));

    public static string OutcomeText(ToolCallOutcome outcome) => outcome switch
    {
        ToolCallOutcome.Ok => "ok",
        ToolCallOutcome.Denied => "denied",
        _ => "error",
    };

    private static string? Truncate(string? text) =>
        text is null || text.Length <= TextLimit ? text : string.Concat(text.AsSpan(0, TextLimit), "…");
}
