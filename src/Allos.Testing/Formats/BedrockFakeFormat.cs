using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Allos.Testing.Formats;

/// <summary>
/// Amazon Bedrock's Converse as bedrock-runtime writes it: a Converse response body, or AWS event-stream messages from
/// <c>messageStart</c> to <c>metadata</c>. Errors are <c>{"message":…}</c> with the kind in <c>x-amzn-ErrorType</c>; a
/// failure mid-stream is an <c>exception</c> message. A request that is neither SigV4-signed (in shape) for the
/// <c>bedrock</c> service nor carries a bearer key is refused, as AWS refuses it.
/// </summary>
internal sealed partial class BedrockFakeFormat : IFakeFormat
{
    public async Task WriteAsync(FakeExchange exchange)
    {
        if (AuthenticationProblem(exchange.Request) is { } problem)
        {
            exchange.Context.Response.Headers["x-amzn-ErrorType"] = problem.Type + ":http://internal.amazon.com/coral/com.amazon.coral.service/";
            await exchange.WriteBodyAsync(ErrorBody(403, problem.Message, problem.Type), 403).ConfigureAwait(false);
            return;
        }

        FakeTurn turn = exchange.Turn;
        if (!exchange.Streaming)
        {
            await exchange.WriteBodyAsync(FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("output");
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteStartArray("content");
                foreach (FakePart part in turn.Parts)
                {
                    w.WriteStartObject();
                    switch (part)
                    {
                        case FakeReasoning reasoning:
                            w.WriteStartObject("reasoningContent");
                            w.WriteStartObject("reasoningText");
                            w.WriteString("text", reasoning.Text);
                            if (reasoning.Signature is not null)
                            {
                                w.WriteString("signature", reasoning.Signature);
                            }

                            w.WriteEndObject();
                            w.WriteEndObject();
                            break;
                        case FakeText text:
                            w.WriteString("text", text.Text);
                            break;
                        case FakeToolCall call:
                            w.WriteStartObject("toolUse");
                            w.WriteString("toolUseId", call.Id);
                            w.WriteString("name", call.Name);
                            w.WritePropertyName("input");
                            FakeExchange.WriteRawOrString(w, call.ArgumentsJson);
                            w.WriteEndObject();
                            break;
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteString("stopReason", StopReason(turn.EffectiveFinishReason));
                Usage(w, turn.Usage);
                w.WriteStartObject("metrics");
                w.WriteNumber("latencyMs", 321);
                w.WriteEndObject();
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await exchange.StartStreamAsync(FakeEventStream.ContentType).ConfigureAwait(false);
        await EventAsync(exchange, "messageStart", w => w.WriteString("role", "assistant")).ConfigureAwait(false);
        int index = 0;
        foreach (FakePart part in turn.Parts)
        {
            int block = index++;
            switch (part)
            {
                case FakeReasoning reasoning:
                    foreach (string piece in turn.SplitText(reasoning.Text))
                    {
                        await DeltaAsync(exchange, block, w =>
                        {
                            w.WriteStartObject("reasoningContent");
                            w.WriteString("text", piece);
                            w.WriteEndObject();
                        }).ConfigureAwait(false);
                    }

                    if (reasoning.Signature is { } signature)
                    {
                        await DeltaAsync(exchange, block, w =>
                        {
                            w.WriteStartObject("reasoningContent");
                            w.WriteString("signature", signature);
                            w.WriteEndObject();
                        }).ConfigureAwait(false);
                    }

                    break;
                case FakeText text:
                    foreach (string piece in turn.SplitText(text.Text))
                    {
                        await DeltaAsync(exchange, block, w => w.WriteString("text", piece)).ConfigureAwait(false);
                    }

                    break;
                case FakeToolCall call:
                    await EventAsync(exchange, "contentBlockStart", w =>
                    {
                        w.WriteStartObject("start");
                        w.WriteStartObject("toolUse");
                        w.WriteString("toolUseId", call.Id);
                        w.WriteString("name", call.Name);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteNumber("contentBlockIndex", block);
                    }).ConfigureAwait(false);
                    foreach (string fragment in turn.SplitArguments(call.ArgumentsJson))
                    {
                        await DeltaAsync(exchange, block, w =>
                        {
                            w.WriteStartObject("toolUse");
                            w.WriteString("input", fragment);
                            w.WriteEndObject();
                        }).ConfigureAwait(false);
                    }

                    break;
            }

            await EventAsync(exchange, "contentBlockStop", w => w.WriteNumber("contentBlockIndex", block)).ConfigureAwait(false);
        }

        if (turn.StreamErrorMessage is { } error)
        {
            await exchange.ChunkAsync(FakeEventStream.Exception(turn.StreamErrorType ?? "modelStreamErrorException", error)).ConfigureAwait(false);
            return;
        }

        await EventAsync(exchange, "messageStop", w => w.WriteString("stopReason", StopReason(turn.EffectiveFinishReason))).ConfigureAwait(false);
        await EventAsync(exchange, "metadata", w =>
        {
            Usage(w, turn.Usage ?? new FakeUsage(0, 0));
            w.WriteStartObject("metrics");
            w.WriteNumber("latencyMs", 321);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public string ErrorBody(int status, string message, string? type) => FakeExchange.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    public void AddErrorHeaders(HttpResponse response, int status, string? type, bool exactBody)
    {
        if (!response.Headers.ContainsKey("x-amzn-ErrorType"))
        {
            response.Headers["x-amzn-ErrorType"] = (type ?? DefaultType(status)) + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
        }

        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
    }

    /// <summary>What AWS answers a request without credentials or with a malformed signature; <see langword="null"/> when the shape is right.</summary>
    private static (string Type, string Message)? AuthenticationProblem(RecordedRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out string? authorization) || string.IsNullOrEmpty(authorization))
        {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        if (!SigV4Shape().IsMatch(authorization))
        {
            return ("IncompleteSignatureException", $"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters for the bedrock service. Authorization={authorization.Split(' ')[0]}");
        }

        return request.Headers.TryGetValue("x-amz-date", out string? date) && AmzDate().IsMatch(date)
            ? null
            : ("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    private static Task EventAsync(FakeExchange exchange, string type, Action<Utf8JsonWriter> body) =>
        exchange.ChunkAsync(FakeEventStream.Event(type, FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            body(w);

            // Bedrock pads its events to hide their lengths; a client ignores the field.
            w.WriteString("p", "abcdefghijklmnopqrstuvwxyz"[..(type.Length % 26)]);
            w.WriteEndObject();
        })));

    private static Task DeltaAsync(FakeExchange exchange, int index, Action<Utf8JsonWriter> delta) =>
        EventAsync(exchange, "contentBlockDelta", w =>
        {
            w.WriteNumber("contentBlockIndex", index);
            w.WriteStartObject("delta");
            delta(w);
            w.WriteEndObject();
        });

    /// <summary><c>inputTokens</c> excludes the cache, reported as <c>cacheReadInputTokens</c>.</summary>
    private static void Usage(Utf8JsonWriter w, FakeUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        w.WriteStartObject("usage");
        w.WriteNumber("inputTokens", usage.InputTokens - usage.CachedInputTokens);
        w.WriteNumber("outputTokens", usage.OutputTokens);
        w.WriteNumber("totalTokens", usage.InputTokens + usage.OutputTokens);
        if (usage.CachedInputTokens > 0)
        {
            w.WriteNumber("cacheReadInputTokens", usage.CachedInputTokens);
            w.WriteNumber("cacheWriteInputTokens", 0);
        }

        w.WriteEndObject();
    }

    private static string StopReason(FakeFinishReason reason) => reason switch
    {
        FakeFinishReason.Length => "max_tokens",
        FakeFinishReason.ToolCalls => "tool_use",
        FakeFinishReason.ContentFilter => "content_filtered",
        _ => "end_turn",
    };

    private static string DefaultType(int status) => status switch
    {
        400 => "ValidationException",
        401 or 403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        408 => "ModelTimeoutException",
        424 => "ModelErrorException",
        429 => "ThrottlingException",
        503 => "ServiceUnavailableException",
        _ => "InternalServerException",
    };

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=[A-Z0-9]{16,128}/\d{8}/[a-z0-9-]+/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$")]
    private static partial Regex SigV4Shape();

    [GeneratedRegex(@"^\d{8}T\d{6}Z$")]
    private static partial Regex AmzDate();
}
