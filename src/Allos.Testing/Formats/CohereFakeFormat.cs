using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>
/// Cohere's v2 Chat as api.cohere.com writes it: a chat response body, or named SSE events from <c>message-start</c> to
/// <c>message-end</c>. Errors are <c>{"id":…,"message":…}</c>; a failure mid-stream ends with <c>finish_reason</c> <c>ERROR</c>.
/// </summary>
internal sealed class CohereFakeFormat : IFakeFormat
{
    public async Task WriteAsync(FakeExchange exchange)
    {
        FakeTurn turn = exchange.Turn;
        string id = Guid.NewGuid().ToString();
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteStartArray("content");
                foreach (FakePart part in turn.Parts)
                {
                    if (part is FakeReasoning reasoning)
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "thinking");
                        w.WriteString("thinking", reasoning.Text);
                        w.WriteEndObject();
                    }
                    else if (part is FakeText text)
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "text");
                        w.WriteString("text", text.Text);
                        w.WriteEndObject();
                    }
                }

                w.WriteEndArray();
                FakeToolCall[] calls = [.. turn.Parts.OfType<FakeToolCall>()];
                if (calls.Length > 0)
                {
                    w.WriteStartArray("tool_calls");
                    foreach (FakeToolCall call in calls)
                    {
                        ToolCall(w, call, call.ArgumentsJson);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteString("finish_reason", FinishReason(turn.EffectiveFinishReason));
                Usage(w, turn.Usage);
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync("text/event-stream").ConfigureAwait(false);
        await EventAsync(exchange, "message-start", null, w =>
        {
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteString("tool_plan", "");
            w.WriteStartArray("tool_calls");
            w.WriteEndArray();
            w.WriteStartArray("citations");
            w.WriteEndArray();
            w.WriteEndObject();
        }, id).ConfigureAwait(false);

        int contentIndex = 0, toolIndex = 0;
        foreach (FakePart part in turn.Parts)
        {
            switch (part)
            {
                case FakeReasoning or FakeText:
                    bool thinking = part is FakeReasoning;
                    string field = thinking ? "thinking" : "text";
                    int index = contentIndex++;
                    await EventAsync(exchange, "content-start", index, w => Content(w, thinking ? "thinking" : "text", field, "")).ConfigureAwait(false);
                    foreach (string piece in turn.SplitText(part is FakeText t ? t.Text : ((FakeReasoning)part).Text))
                    {
                        await EventAsync(exchange, "content-delta", index, w => Content(w, null, field, piece)).ConfigureAwait(false);
                    }

                    await EventAsync(exchange, "content-end", index, null).ConfigureAwait(false);
                    break;
                case FakeToolCall call:
                    int callIndex = toolIndex++;
                    await EventAsync(exchange, "tool-call-start", callIndex, w =>
                    {
                        w.WriteStartObject("message");
                        w.WritePropertyName("tool_calls");
                        ToolCall(w, call, "");
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    foreach (string fragment in turn.SplitArguments(call.ArgumentsJson))
                    {
                        await EventAsync(exchange, "tool-call-delta", callIndex, w =>
                        {
                            w.WriteStartObject("message");
                            w.WriteStartObject("tool_calls");
                            w.WriteStartObject("function");
                            w.WriteString("arguments", fragment);
                            w.WriteEndObject();
                            w.WriteEndObject();
                            w.WriteEndObject();
                        }).ConfigureAwait(false);
                    }

                    await EventAsync(exchange, "tool-call-end", callIndex, null).ConfigureAwait(false);
                    break;
            }
        }

        await EventAsync(exchange, "message-end", null, w =>
        {
            if (turn.StreamErrorMessage is { } error)
            {
                w.WriteString("error", error);
                w.WriteString("finish_reason", turn.StreamErrorType ?? "ERROR");
                return;
            }

            w.WriteString("finish_reason", FinishReason(turn.EffectiveFinishReason));
            Usage(w, turn.Usage);
        }).ConfigureAwait(false);
    }

    public string ErrorBody(int status, string message, string? type) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", Guid.NewGuid().ToString());
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    private static Task EventAsync(FakeExchange exchange, string type, int? index, Action<Utf8JsonWriter>? delta, string? id = null) =>
        exchange.SseAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            if (id is not null)
            {
                w.WriteString("id", id);
            }

            w.WriteString("type", type);
            if (index is int i)
            {
                w.WriteNumber("index", i);
            }

            if (delta is not null)
            {
                w.WriteStartObject("delta");
                delta(w);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }), type);

    private static void Content(Utf8JsonWriter w, string? type, string field, string value)
    {
        w.WriteStartObject("message");
        w.WriteStartObject("content");
        if (type is not null)
        {
            w.WriteString("type", type);
        }

        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void ToolCall(Utf8JsonWriter w, FakeToolCall call, string arguments)
    {
        w.WriteStartObject();
        w.WriteString("id", call.Id);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", call.Name);
        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Billed units exclude what Cohere does not charge for; the fake reports both as the turn's counts, the cached part not billed.</summary>
    private static void Usage(Utf8JsonWriter w, FakeUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        w.WriteStartObject("usage");
        w.WriteStartObject("billed_units");
        w.WriteNumber("input_tokens", usage.InputTokens);
        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WriteEndObject();
        w.WriteStartObject("tokens");
        w.WriteNumber("input_tokens", usage.InputTokens + 200);
        w.WriteNumber("output_tokens", usage.OutputTokens + 2);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string FinishReason(FakeFinishReason reason) => reason switch
    {
        FakeFinishReason.Length => "MAX_TOKENS",
        FakeFinishReason.ToolCalls => "TOOL_CALL",
        FakeFinishReason.ContentFilter => "ERROR_TOXIC",
        _ => "COMPLETE",
    };
}
