using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>
/// Ollama's native <c>/api/chat</c> as a real server writes it: one JSON body for <c>"stream": false</c>, otherwise NDJSON
/// lines (thinking and text pieces, whole tool calls) ending with a <c>"done": true</c> line that carries the counters.
/// </summary>
internal sealed class OllamaFakeFormat : IFakeFormat
{
    private const string CreatedAt = "2025-07-07T20:22:19.184789Z";

    // Fixed nanosecond timings, so tests can assert them.
    private const long TotalDuration = 182_242_375;
    private const long LoadDuration = 41_295_167;
    private const long PromptEvalDuration = 24_573_166;
    private const long EvalDuration = 115_959_084;

    public async Task WriteAsync(FakeExchange exchange)
    {
        FakeTurn turn = exchange.Turn;
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                Header(w, exchange.Model);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", turn.AllText);
                if (turn.AllReasoning.Length > 0)
                {
                    w.WriteString("thinking", turn.AllReasoning);
                }

                FakeToolCall[] calls = [.. turn.Parts.OfType<FakeToolCall>()];
                if (calls.Length > 0)
                {
                    ToolCalls(w, calls, firstIndex: 0);
                }

                w.WriteEndObject();
                Final(w, turn);
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync("application/x-ndjson").ConfigureAwait(false);
        var pendingCalls = new List<FakeToolCall>();
        int toolIndex = 0;
        foreach (FakePart part in turn.Parts)
        {
            switch (part)
            {
                case FakeReasoning reasoning:
                    foreach (string piece in turn.SplitText(reasoning.Text))
                    {
                        await exchange.LineAsync(Delta(exchange.Model, "", w => w.WriteString("thinking", piece))).ConfigureAwait(false);
                    }

                    break;
                case FakeText text:
                    foreach (string piece in turn.SplitText(text.Text))
                    {
                        await exchange.LineAsync(Delta(exchange.Model, piece)).ConfigureAwait(false);
                    }

                    break;
                case FakeToolCall call when turn.ArgumentChunkSize is not null:
                    // Ollama never fragments arguments: "chunked" turns send each call whole, in its own line.
                    int index = toolIndex++;
                    await exchange.LineAsync(Delta(exchange.Model, "", w => ToolCalls(w, [call], index))).ConfigureAwait(false);
                    break;
                case FakeToolCall call:
                    pendingCalls.Add(call);
                    break;
            }
        }

        if (pendingCalls.Count > 0)
        {
            await exchange.LineAsync(Delta(exchange.Model, "", w => ToolCalls(w, [.. pendingCalls], toolIndex))).ConfigureAwait(false);
        }

        if (turn.StreamErrorMessage is { } errorMessage)
        {
            await exchange.LineAsync(ErrorBody(500, errorMessage, turn.StreamErrorType)).ConfigureAwait(false);
            return;
        }

        await exchange.LineAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            Header(w, exchange.Model);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", "");
            w.WriteEndObject();
            Final(w, turn);
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    /// <summary>Ollama's error body is a plain string under <c>error</c>; it has no error types.</summary>
    public string ErrorBody(int status, string message, string? type) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    /// <summary>A <c>"done": false</c> line; real servers always write <c>content</c>, empty on thinking and tool-call lines.</summary>
    private static string Delta(string model, string content, Action<Utf8JsonWriter>? more = null) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        Header(w, model);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", content);
        more?.Invoke(w);
        w.WriteEndObject();
        w.WriteBoolean("done", false);
        w.WriteEndObject();
    });

    private static void ToolCalls(Utf8JsonWriter w, IReadOnlyList<FakeToolCall> calls, int firstIndex)
    {
        w.WriteStartArray("tool_calls");
        for (int i = 0; i < calls.Count; i++)
        {
            FakeToolCall call = calls[i];
            w.WriteStartObject();
            if (call.Id.Length > 0)
            {
                w.WriteString("id", call.Id);
            }

            w.WriteStartObject("function");
            w.WriteNumber("index", firstIndex + i);
            w.WriteString("name", call.Name);
            w.WritePropertyName("arguments");
            FakeExchange.WriteRawOrString(w, call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Header(Utf8JsonWriter w, string model)
    {
        w.WriteString("model", model);
        w.WriteString("created_at", CreatedAt);
    }

    private static void Final(Utf8JsonWriter w, FakeTurn turn)
    {
        w.WriteString("done_reason", turn.EffectiveFinishReason == FakeFinishReason.Length ? "length" : "stop");
        w.WriteBoolean("done", true);
        w.WriteNumber("total_duration", TotalDuration);
        w.WriteNumber("load_duration", LoadDuration);

        // Go's Metrics marks the counters omitempty: a turn without usage sends none.
        if (turn.Usage is { } usage)
        {
            w.WriteNumber("prompt_eval_count", usage.InputTokens);
        }

        w.WriteNumber("prompt_eval_duration", PromptEvalDuration);
        if (turn.Usage is { } output)
        {
            w.WriteNumber("eval_count", output.OutputTokens);
        }

        w.WriteNumber("eval_duration", EvalDuration);
    }
}
