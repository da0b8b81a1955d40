using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>
/// The Gemini API as generativelanguage.googleapis.com writes it: <c>GenerateContentResponse</c> bodies, and for
/// <c>:streamGenerateContent?alt=sse</c> one <c>data:</c> event per text piece, thought piece or whole function call,
/// with cumulative <c>usageMetadata</c> on every chunk, <c>finishReason</c> on the last one, and no terminator.
/// </summary>
internal sealed class GeminiFakeFormat : IFakeFormat
{
    public async Task WriteAsync(FakeExchange exchange)
    {
        FakeTurn turn = exchange.Turn;
        string responseId = "fake" + Guid.NewGuid().ToString("N")[..16];
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(Response(exchange, responseId, turn.Usage, FinishReason(turn.EffectiveFinishReason), w =>
            {
                foreach (FakePart part in turn.Parts)
                {
                    switch (part)
                    {
                        case FakeReasoning reasoning:
                            TextPart(w, reasoning.Text, thought: true, reasoning.Signature);
                            break;
                        case FakeText text:
                            TextPart(w, text.Text, thought: false, signature: null);
                            break;
                        case FakeToolCall call:
                            CallPart(w, call);
                            break;
                    }
                }
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync("text/event-stream").ConfigureAwait(false);
        foreach (FakePart part in turn.Parts)
        {
            switch (part)
            {
                case FakeReasoning reasoning:
                    // The signature rides on the last piece of the thought, as Gemini sends it.
                    string[] thoughts = [.. turn.SplitText(reasoning.Text)];
                    for (int i = 0; i < thoughts.Length; i++)
                    {
                        string piece = thoughts[i];
                        string? signature = i == thoughts.Length - 1 ? reasoning.Signature : null;
                        await exchange.SseAsync(Response(exchange, responseId, turn.Usage, null, w => TextPart(w, piece, thought: true, signature))).ConfigureAwait(false);
                    }

                    break;
                case FakeText text:
                    foreach (string piece in turn.SplitText(text.Text))
                    {
                        await exchange.SseAsync(Response(exchange, responseId, turn.Usage, null, w => TextPart(w, piece, thought: false, signature: null))).ConfigureAwait(false);
                    }

                    break;
                case FakeToolCall call:
                    // Gemini sends each call whole, never in argument fragments.
                    await exchange.SseAsync(Response(exchange, responseId, turn.Usage, null, w => CallPart(w, call))).ConfigureAwait(false);
                    break;
            }
        }

        if (turn.StreamErrorMessage is { } errorMessage)
        {
            string status = turn.StreamErrorType ?? "INTERNAL";
            await exchange.SseAsync(Error(CodeFor(status), errorMessage, status)).ConfigureAwait(false);
            return;
        }

        await exchange.SseAsync(Response(exchange, responseId, turn.Usage, FinishReason(turn.EffectiveFinishReason),
            w => TextPart(w, "", thought: false, signature: null))).ConfigureAwait(false);
    }

    public string ErrorBody(int status, string message, string? type) => Error(status, message, type ?? StatusFor(status));

    private static string Error(int code, string message, string status) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteString("status", status);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static string Response(FakeExchange exchange, string responseId, FakeUsage? usage, string? finishReason, Action<Utf8JsonWriter> parts) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("candidates");
        w.WriteStartObject();
        w.WriteStartObject("content");
        w.WriteStartArray("parts");
        parts(w);
        w.WriteEndArray();
        w.WriteString("role", "model");
        w.WriteEndObject();
        if (finishReason is not null)
        {
            w.WriteString("finishReason", finishReason);
        }

        w.WriteNumber("index", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        if (usage is not null)
        {
            Usage(w, usage);
        }

        w.WriteString("modelVersion", exchange.Model);
        w.WriteString("responseId", responseId);
        w.WriteEndObject();
    });

    private static void TextPart(Utf8JsonWriter w, string text, bool thought, string? signature)
    {
        w.WriteStartObject();
        w.WriteString("text", text);
        if (thought)
        {
            w.WriteBoolean("thought", true);
        }

        if (signature is not null)
        {
            w.WriteString("thoughtSignature", signature);
        }

        w.WriteEndObject();
    }

    private static void CallPart(Utf8JsonWriter w, FakeToolCall call)
    {
        // Gemini sends no call id; FakeToolCall.Id is ignored.
        w.WriteStartObject();
        w.WriteStartObject("functionCall");
        w.WriteString("name", call.Name);
        w.WritePropertyName("args");
        FakeExchange.WriteRawOrString(w, call.ArgumentsJson);
        w.WriteEndObject();
        if (call.Signature is not null)
        {
            w.WriteString("thoughtSignature", call.Signature);
        }

        w.WriteEndObject();
    }

    private static void Usage(Utf8JsonWriter w, FakeUsage usage)
    {
        w.WriteStartObject("usageMetadata");
        w.WriteNumber("promptTokenCount", usage.InputTokens);
        w.WriteNumber("candidatesTokenCount", usage.OutputTokens - usage.ReasoningTokens);
        w.WriteNumber("totalTokenCount", usage.InputTokens + usage.OutputTokens);
        if (usage.CachedInputTokens > 0)
        {
            w.WriteNumber("cachedContentTokenCount", usage.CachedInputTokens);
        }

        if (usage.ReasoningTokens > 0)
        {
            w.WriteNumber("thoughtsTokenCount", usage.ReasoningTokens);
        }

        w.WriteEndObject();
    }

    // Gemini has no tool-call reason: a turn with calls ends with STOP.
    private static string FinishReason(FakeFinishReason reason) => reason switch
    {
        FakeFinishReason.Length => "MAX_TOKENS",
        FakeFinishReason.ContentFilter => "SAFETY",
        _ => "STOP",
    };

    private static string StatusFor(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };

    private static int CodeFor(string status) => status switch
    {
        "INVALID_ARGUMENT" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "NOT_FOUND" => 404,
        "RESOURCE_EXHAUSTED" => 429,
        "UNAVAILABLE" => 503,
        "DEADLINE_EXCEEDED" => 504,
        _ => 500,
    };
}
