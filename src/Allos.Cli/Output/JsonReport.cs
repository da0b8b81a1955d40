using System.Text.Json;
using Allos.Agents;
using Allos.Agents.Guardrails;
using Allos.Tools;

namespace Allos.Cli.Output;

/// <summary>Writes the one JSON object of <c>--json</c>: status, text, session, agent, model, usage, cost, tool calls, handoffs, guardrail, error.</summary>
internal static class JsonReport
{
    public static void Write(TextWriter output, RunResult? result, string status, string? session, string? model,
        IReadOnlyList<ToolCallCompletedEvent> toolCalls, Exception? error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteString("text", result?.Text ?? string.Empty);
            WriteNullable(json, "session", session);
            WriteNullable(json, "agent", result?.Agent);
            WriteNullable(json, "model", model);
            json.WriteStartObject("usage");
            json.WriteNumber("input_tokens", result?.Usage.InputTokenCount ?? 0);
            json.WriteNumber("output_tokens", result?.Usage.OutputTokenCount ?? 0);
            json.WriteNumber("cached_input_tokens", result?.Usage.CachedInputTokenCount ?? 0);
            json.WriteNumber("reasoning_tokens", result?.Usage.ReasoningTokenCount ?? 0);
            json.WriteEndObject();
            if (result?.Cost is decimal cost)
            {
                json.WriteNumber("cost_usd", cost);
            }
            else
            {
                json.WriteNull("cost_usd");
            }

            json.WriteStartArray("tool_calls");
            foreach (ToolCallCompletedEvent call in toolCalls)
            {
                WriteCall(json, call.ToolName, call.ArgumentsJson, Status(call.Outcome), call.Output);
            }

            foreach (ApprovalRequest pending in result?.PendingApprovals ?? [])
            {
                WriteCall(json, pending.ToolName, pending.ArgumentsJson, "denied", "needs approval: not run (pass -y to allow)");
            }

            json.WriteEndArray();
            json.WriteStartArray("handoffs");
            foreach (string agent in result?.HandoffPath.Skip(1) ?? [])
            {
                json.WriteStringValue(agent);
            }

            json.WriteEndArray();
            if (result?.Guardrail is { } trip)
            {
                json.WriteStartObject("guardrail");
                json.WriteString("name", trip.Name);
                json.WriteString("stage", trip.Stage == GuardrailStage.Input ? "input" : "output");
                json.WriteString("reason", trip.Reason);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("guardrail");
            }

            if (error is null)
            {
                json.WriteNull("error");
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("type", error.GetType().Name);
                json.WriteString("message", ErrorReport.Message(error));
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        output.Flush();
    }

    public static string StatusOf(RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.MaxIterations => "max_iterations",
        RunStatus.AwaitingApproval => "awaiting_approval",
        RunStatus.Cancelled => "cancelled",
        RunStatus.GuardrailTripped => "guardrail_tripped",
        _ => "failed",
    };

    private static string Status(ToolCallOutcome outcome) => outcome switch
    {
        ToolCallOutcome.Ok => "ok",
        ToolCallOutcome.Denied => "denied",
        _ => "error",
    };

    private static void WriteCall(Utf8JsonWriter json, string name, string argumentsJson, string status, string output)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WritePropertyName("arguments");
        try
        {
            using JsonDocument arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
            arguments.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            // The model's malformed arguments are reported as the text it sent.
            json.WriteStringValue(argumentsJson);
        }

        json.WriteString("status", status);
        json.WriteString("output", output);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
