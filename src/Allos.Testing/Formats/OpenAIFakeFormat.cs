using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>Chat Completions as api.openai.com writes it: <c>chat.completion</c> bodies and <c>chat.completion.chunk</c> SSE ending in <c>[DONE]</c>.</summary>
internal sealed class OpenAIFakeFormat : IFakeFormat
{
    public async Task WriteAsync(FakeExchange exchange)
    {
        FakeTurn turn = exchange.Turn;
        string id = "chatcmpl-fake" + Guid.NewGuid().ToString("N")[..12];
        const long Created = 1_753_343_173;
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                Header(w, id, "chat.completion", Created, exchange.Model);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                if (turn.AllText.Length > 0)
                {
                    w.WriteString("content", turn.AllText);
                }
                else
                {
                    w.WriteNull("content");
                }

                if (turn.AllReasoning.Length > 0)
                {
                    w.WriteString("reasoning_content", turn.AllReasoning);
                }

                FakeToolCall[] calls = [.. turn.Parts.OfType<FakeToolCall>()];
                if (calls.Length > 0)
                {
                    w.WriteStartArray("tool_calls");
                    foreach (FakeToolCall call in calls)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", call.Id);
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", call.Name);
                        w.WriteString("arguments", call.ArgumentsJson);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteNull("refusal");
                w.WriteEndObject();
                w.WriteNull("logprobs");
                w.WriteString("finish_reason", FinishReason(turn.EffectiveFinishReason));
                w.WriteEndObject();
                w.WriteEndArray();
                if (turn.Usage is { } usage)
                {
                    Usage(w, usage);
                }

                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync("text/event-stream").ConfigureAwait(false);
        await exchange.SseAsync(Chunk(id, Created, exchange.Model, w =>
        {
            w.WriteString("role", "assistant");
            w.WriteString("content", "");
        }, finishReason: null)).ConfigureAwait(false);

        int toolIndex = 0;
        foreach (FakePart part in turn.Parts)
        {
            switch (part)
            {
                case FakeReasoning reasoning:
                    foreach (string piece in turn.SplitText(reasoning.Text))
                    {
                        await exchange.SseAsync(Chunk(id, Created, exchange.Model, w => w.WriteString("reasoning_content", piece), null)).ConfigureAwait(false);
                    }

                    break;
                case FakeText text:
                    foreach (string piece in turn.SplitText(text.Text))
                    {
                        await exchange.SseAsync(Chunk(id, Created, exchange.Model, w => w.WriteString("content", piece), null)).ConfigureAwait(false);
                    }

                    break;
                case FakeToolCall call:
                    int index = toolIndex++;
                    bool first = true;
                    foreach (string fragment in turn.ArgumentChunkSize is null ? (string[])[call.ArgumentsJson] : ["", .. turn.SplitArguments(call.ArgumentsJson)])
                    {
                        bool isFirst = first;
                        first = false;
                        await exchange.SseAsync(Chunk(id, Created, exchange.Model, w =>
                        {
                            w.WriteStartArray("tool_calls");
                            w.WriteStartObject();
                            w.WriteNumber("index", index);
                            if (isFirst)
                            {
                                w.WriteString("id", call.Id);
                                w.WriteString("type", "function");
                            }

                            w.WriteStartObject("function");
                            if (isFirst)
                            {
                                w.WriteString("name", call.Name);
                            }

                            w.WriteString("arguments", fragment);
                            w.WriteEndObject();
                            w.WriteEndObject();
                            w.WriteEndArray();
                        }, null)).ConfigureAwait(false);
                    }

                    break;
            }
        }

        if (turn.StreamErrorMessage is { } errorMessage)
        {
            await exchange.SseAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("error");
                w.WriteString("message", errorMessage);
                w.WriteString("type", turn.StreamErrorType ?? "server_error");
                w.WriteEndObject();
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.SseAsync(Chunk(id, Created, exchange.Model, _ => { }, FinishReason(turn.EffectiveFinishReason))).ConfigureAwait(false);

        // Like the real server, usage is only streamed when the client asked for it.
        if (turn.Usage is { } streamedUsage && AskedForUsage(exchange.Request))
        {
            await exchange.SseAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                Header(w, id, "chat.completion.chunk", Created, exchange.Model);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, streamedUsage);
                w.WriteEndObject();
            })).ConfigureAwait(false);
        }

        await exchange.SseAsync("[DONE]").ConfigureAwait(false);
    }

    public string ErrorBody(int status, string message, string? type) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", type ?? status switch
        {
            401 => "invalid_request_error",
            429 => "requests",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        });
        w.WriteNull("param");
        if (status == 401)
        {
            w.WriteString("code", "invalid_api_key");
        }
        else if (status == 429)
        {
            w.WriteString("code", "rate_limit_exceeded");
        }
        else
        {
            w.WriteNull("code");
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static bool AskedForUsage(RecordedRequest request) =>
        request.Json.ValueKind == JsonValueKind.Object
        && request.Json.TryGetProperty("stream_options", out JsonElement options)
        && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage", out JsonElement include)
        && include.ValueKind == JsonValueKind.True;

    private static string Chunk(string id, long created, string model, Action<Utf8JsonWriter> delta, string? finishReason) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        Header(w, id, "chat.completion.chunk", created, model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNull("usage");
        w.WriteEndObject();
    });

    private static void Header(Utf8JsonWriter w, string id, string objectType, long created, string model)
    {
        w.WriteString("id", id);
        w.WriteString("object", objectType);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteString("system_fingerprint", "fp_fake");
    }

    private static void Usage(Utf8JsonWriter w, FakeUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.InputTokens);
        w.WriteNumber("completion_tokens", usage.OutputTokens);
        w.WriteNumber("total_tokens", usage.InputTokens + usage.OutputTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedInputTokens);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string FinishReason(FakeFinishReason reason) => reason switch
    {
        FakeFinishReason.Length => "length",
        FakeFinishReason.ToolCalls => "tool_calls",
        FakeFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };
}
