using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>
/// The Anthropic Messages API as api.anthropic.com writes it: a <c>message</c> body, or named SSE events from
/// <c>message_start</c> to <c>message_stop</c> (with one <c>ping</c>), and <c>event: error</c> for errors mid-stream.
/// </summary>
internal sealed class AnthropicFakeFormat : IFakeFormat
{
    public async Task WriteAsync(FakeExchange exchange)
    {
        FakeTurn turn = exchange.Turn;
        string id = "msg_fake" + Guid.NewGuid().ToString("N")[..16];
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", exchange.Model);
                w.WriteStartArray("content");
                foreach (FakePart part in turn.Parts)
                {
                    switch (part)
                    {
                        case FakeReasoning reasoning:
                            w.WriteStartObject();
                            w.WriteString("type", "thinking");
                            w.WriteString("thinking", reasoning.Text);
                            w.WriteString("signature", reasoning.Signature ?? "sig-fake");
                            w.WriteEndObject();
                            break;
                        case FakeText text:
                            w.WriteStartObject();
                            w.WriteString("type", "text");
                            w.WriteString("text", text.Text);
                            w.WriteEndObject();
                            break;
                        case FakeToolCall call:
                            w.WriteStartObject();
                            w.WriteString("type", "tool_use");
                            w.WriteString("id", call.Id);
                            w.WriteString("name", call.Name);
                            w.WritePropertyName("input");
                            FakeExchange.WriteRawOrString(w, call.ArgumentsJson);
                            w.WriteEndObject();
                            break;
                    }
                }

                w.WriteEndArray();
                w.WriteString("stop_reason", StopReason(turn.EffectiveFinishReason));
                w.WriteNull("stop_sequence");
                Usage(w, turn.Usage, outputOnly: false);
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync("text/event-stream").ConfigureAwait(false);
        await exchange.SseAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            w.WriteString("id", id);
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", exchange.Model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");

            // Like the real server: input counts up front, a small initial output count, the final one in message_delta.
            Usage(w, turn.Usage is { } u ? u with { OutputTokens = Math.Min(1, u.OutputTokens) } : null, outputOnly: false);
            w.WriteEndObject();
            w.WriteEndObject();
        }), "message_start").ConfigureAwait(false);
        await exchange.SseAsync("{\"type\": \"ping\"}", "ping").ConfigureAwait(false);

        int index = 0;
        foreach (FakePart part in turn.Parts)
        {
            int blockIndex = index++;
            switch (part)
            {
                case FakeReasoning reasoning:
                    await BlockStartAsync(exchange, blockIndex, w =>
                    {
                        w.WriteString("type", "thinking");
                        w.WriteString("thinking", "");
                        w.WriteString("signature", "");
                    }).ConfigureAwait(false);
                    foreach (string piece in turn.SplitText(reasoning.Text))
                    {
                        await DeltaAsync(exchange, blockIndex, "thinking_delta", "thinking", piece).ConfigureAwait(false);
                    }

                    await DeltaAsync(exchange, blockIndex, "signature_delta", "signature", reasoning.Signature ?? "sig-fake").ConfigureAwait(false);
                    break;
                case FakeText text:
                    await BlockStartAsync(exchange, blockIndex, w =>
                    {
                        w.WriteString("type", "text");
                        w.WriteString("text", "");
                    }).ConfigureAwait(false);
                    foreach (string piece in turn.SplitText(text.Text))
                    {
                        await DeltaAsync(exchange, blockIndex, "text_delta", "text", piece).ConfigureAwait(false);
                    }

                    break;
                case FakeToolCall call:
                    await BlockStartAsync(exchange, blockIndex, w =>
                    {
                        w.WriteString("type", "tool_use");
                        w.WriteString("id", call.Id);
                        w.WriteString("name", call.Name);
                        w.WriteStartObject("input");
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    foreach (string fragment in (string[])["", .. turn.SplitArguments(call.ArgumentsJson)])
                    {
                        await DeltaAsync(exchange, blockIndex, "input_json_delta", "partial_json", fragment).ConfigureAwait(false);
                    }

                    break;
                default:
                    continue;
            }

            await exchange.SseAsync($"{{\"type\":\"content_block_stop\",\"index\":{blockIndex}}}", "content_block_stop").ConfigureAwait(false);
        }

        if (turn.StreamErrorMessage is { } errorMessage)
        {
            await exchange.SseAsync(ErrorJson(turn.StreamErrorType ?? "overloaded_error", errorMessage), "error").ConfigureAwait(false);
            return;
        }

        await exchange.SseAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(turn.EffectiveFinishReason));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            Usage(w, turn.Usage, outputOnly: true);
            w.WriteEndObject();
        }), "message_delta").ConfigureAwait(false);
        await exchange.SseAsync("{\"type\":\"message_stop\"}", "message_stop").ConfigureAwait(false);
    }

    public string ErrorBody(int status, string message, string? type) => ErrorJson(type ?? status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    }, message, requestId: "req_fake" + Guid.NewGuid().ToString("N")[..16]);

    private static string ErrorJson(string type, string message, string? requestId = null) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", type);
        w.WriteString("message", message);
        w.WriteEndObject();
        if (requestId is not null)
        {
            w.WriteString("request_id", requestId);
        }

        w.WriteEndObject();
    });

    private static Task BlockStartAsync(FakeExchange exchange, int index, Action<Utf8JsonWriter> block) =>
        exchange.SseAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", index);
            w.WriteStartObject("content_block");
            block(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }), "content_block_start");

    private static Task DeltaAsync(FakeExchange exchange, int index, string deltaType, string field, string value) =>
        exchange.SseAsync(FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_delta");
            w.WriteNumber("index", index);
            w.WriteStartObject("delta");
            w.WriteString("type", deltaType);
            w.WriteString(field, value);
            w.WriteEndObject();
            w.WriteEndObject();
        }), "content_block_delta");

    /// <summary>The inverse of the codec's mapping: <c>input_tokens</c> excludes the cached part, reported as <c>cache_read_input_tokens</c>.</summary>
    private static void Usage(Utf8JsonWriter w, FakeUsage? usage, bool outputOnly)
    {
        if (usage is null)
        {
            return;
        }

        w.WriteStartObject("usage");
        if (!outputOnly)
        {
            w.WriteNumber("input_tokens", usage.InputTokens - usage.CachedInputTokens);
            w.WriteNumber("cache_creation_input_tokens", 0);
            w.WriteNumber("cache_read_input_tokens", usage.CachedInputTokens);
        }

        w.WriteNumber("output_tokens", usage.OutputTokens);
        if (usage.ReasoningTokens > 0)
        {
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("thinking_tokens", usage.ReasoningTokens);
            w.WriteEndObject();
        }

        if (!outputOnly)
        {
            w.WriteString("service_tier", "standard");
        }

        w.WriteEndObject();
    }

    private static string StopReason(FakeFinishReason reason) => reason switch
    {
        FakeFinishReason.Length => "max_tokens",
        FakeFinishReason.ToolCalls => "tool_use",
        FakeFinishReason.ContentFilter => "refusal",
        _ => "end_turn",
    };
}
