using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Providers;
using Allos.Providers.Anthropic;
using Allos.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>
/// Writes streamed updates as Anthropic's server-sent events, each flushed as it is produced: <c>message_start</c>, then
/// per block <c>content_block_start</c>, its deltas and <c>content_block_stop</c> (indexes in order), a <c>ping</c> after
/// the first block starts (where Anthropic sends it), then <c>message_delta</c> (stop reason, usage) and <c>message_stop</c>.
/// </summary>
/// <remarks>
/// <para>
/// Text and thinking stream as they come. A tool call's arguments pass through in the upstream's pieces where the codec
/// shows them (Anthropic's <c>input_json_delta</c>, OpenAI's <c>tool_calls</c> fragments, as the update's raw event), one
/// <c>input_json_delta</c> each; the whole call that follows only closes the block. Other upstreams (Gemini, Ollama) send
/// a call whole, so its arguments go out as one <c>input_json_delta</c>. A thinking block's signature (an empty reasoning update carrying
/// <see cref="TextReasoningContent.ProtectedData"/>) becomes its <c>signature_delta</c> and closes it.
/// </para>
/// <para>
/// <c>message_start</c> carries the input and cache tokens when the upstream reported them before its first content
/// (Anthropic does, in its own <c>message_start</c>; the SDKs read the input there and the output from
/// <c>message_delta</c>). OpenAI and Ollama report usage only at the end (Gemini's codec too), and the Router's estimate
/// is not a report, so then <c>message_start</c> says zero. <c>message_delta</c> always has the whole count, input and
/// cache tokens included (as Anthropic's own does). Not thread-safe: one per stream.
/// </para>
/// </remarks>
internal sealed class AnthropicEventStream(PipeWriter pipe, string model, CancellationToken cancellationToken) : IDisposable
{
    private static readonly JsonEncodedText TextType = JsonEncodedText.Encode("text");
    private static readonly JsonEncodedText ThinkingType = JsonEncodedText.Encode("thinking");
    private static readonly JsonEncodedText RedactedType = JsonEncodedText.Encode("redacted_thinking");
    private static readonly JsonEncodedText TextDelta = JsonEncodedText.Encode("text_delta");
    private static readonly JsonEncodedText ThinkingDelta = JsonEncodedText.Encode("thinking_delta");
    private static readonly JsonEncodedText SignatureDelta = JsonEncodedText.Encode("signature_delta");
    private static readonly JsonEncodedText InputJsonDelta = JsonEncodedText.Encode("input_json_delta");
    private static readonly JsonEncodedText SignatureField = JsonEncodedText.Encode("signature");
    private static readonly JsonEncodedText PartialJsonField = JsonEncodedText.Encode("partial_json");

    private readonly Utf8JsonWriter _json = new(pipe, AnthropicMessageWriter.WriterOptions);
    private Open _open;
    private int _index = -1;
    private bool _pinged;
    private bool _calls;
    private readonly HashSet<string> _streamedCalls = new(StringComparer.Ordinal);
    private int? _streamedIndex;
    private ChatFinishReason? _finish;
    private AdditionalPropertiesDictionary? _stopDetails;
    private UsageDetails? _usage;

    private enum Open
    {
        None,
        Text,
        Thinking,
        ToolUse,
    }

    /// <summary>Writes <c>message_start</c>, with the id and early usage of the stream's first update if there is one.</summary>
    public async ValueTask StartAsync(ChatResponseUpdate? first)
    {
        string? upstreamId = first is null ? null : first.ResponseId ?? first.MessageId;
        UsageDetails? early = first?.RawRepresentation is AnthropicStreamEvent { Type: "message_start", Message.Usage: { } usage }
            ? AnthropicResponseParser.MapUsage(usage)
            : null;
        Begin("message_start"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "message_start"u8);
        _json.WriteStartObject("message"u8);
        _json.WriteString("id"u8, AnthropicMessageWriter.MessageId(upstreamId));
        _json.WriteString("type"u8, "message"u8);
        _json.WriteString("role"u8, "assistant"u8);
        _json.WriteString("model"u8, model);
        _json.WriteStartArray("content"u8);
        _json.WriteEndArray();
        _json.WriteNull("stop_reason"u8);
        _json.WriteNull("stop_sequence"u8);
        AnthropicMessageWriter.WriteUsage(_json, early);
        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
    }

    public async ValueTask AddAsync(ChatResponseUpdate update)
    {
        switch (update.RawRepresentation)
        {
            case AnthropicStreamEvent raw:
                await AnthropicPieceAsync(raw).ConfigureAwait(false);
                break;
            case OpenAIResponse { Choices: [{ Delta.ToolCalls: { } fragments }, ..] }:
                await OpenAIPiecesAsync(fragments).ConfigureAwait(false);
                break;
        }

        IList<AIContent> contents = update.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent { Text.Length: > 0 } text:
                    await OpenAsync(Open.Text).ConfigureAwait(false);
                    await DeltaAsync(TextDelta, TextType, text.Text).ConfigureAwait(false);
                    break;
                case TextReasoningContent reasoning when AnthropicMessageWriter.IsRedacted(reasoning):
                    await CloseAsync().ConfigureAwait(false);
                    await StartBlockAsync(RedactedType, reasoning.ProtectedData).ConfigureAwait(false);
                    await StopBlockAsync().ConfigureAwait(false);
                    break;
                case TextReasoningContent reasoning:
                    if (!string.IsNullOrEmpty(reasoning.Text))
                    {
                        await OpenAsync(Open.Thinking).ConfigureAwait(false);
                        await DeltaAsync(ThinkingDelta, ThinkingType, reasoning.Text).ConfigureAwait(false);
                    }

                    if (reasoning.ProtectedData is { } signature)
                    {
                        await OpenAsync(Open.Thinking).ConfigureAwait(false);
                        await DeltaAsync(SignatureDelta, SignatureField, signature).ConfigureAwait(false);
                        await CloseAsync().ConfigureAwait(false);
                    }

                    break;
                case FunctionCallContent call when _streamedCalls.Contains(call.CallId):
                    // Its pieces went out already: the whole call only ends its block, if still open.
                    await CloseAsync().ConfigureAwait(false);
                    _calls = true;
                    break;
                case FunctionCallContent call:
                    await CloseAsync().ConfigureAwait(false);
                    await ToolUseAsync(call).ConfigureAwait(false);
                    _calls = true;
                    break;
                case UsageContent usage:
                    _usage = usage.Details;
                    break;
            }
        }

        _finish = update.FinishReason ?? _finish;
        // Only the update that ends the answer says how; a later one may carry other entries (the Router's cost).
        if (update.AdditionalProperties?.ContainsKey(AnthropicResponseParser.StopReasonKey) == true)
        {
            _stopDetails = update.AdditionalProperties;
        }
    }

    /// <summary>Closes the open block and writes <c>message_delta</c> and <c>message_stop</c>.</summary>
    public async ValueTask CompleteAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        Begin("message_delta"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "message_delta"u8);
        _json.WriteStartObject("delta"u8);
        AnthropicMessageWriter.WriteStop(_json, _finish, _stopDetails, _calls);
        _json.WriteEndObject();
        AnthropicMessageWriter.WriteUsage(_json, _usage);
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);

        Begin("message_stop"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "message_stop"u8);
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
    }

    public void Dispose() => _json.Dispose();

    private async ValueTask AnthropicPieceAsync(AnthropicStreamEvent raw)
    {
        if (raw is { Type: "content_block_start", ContentBlock: { Type: "tool_use", Id: { Length: > 0 } id, Name: { } name } })
        {
            await StartToolUseAsync(id, name).ConfigureAwait(false);
        }
        else if (raw is { Type: "content_block_delta", Delta: { Type: "input_json_delta", PartialJson: { Length: > 0 } piece } } && _open == Open.ToolUse)
        {
            await DeltaAsync(InputJsonDelta, PartialJsonField, piece).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// OpenAI streams a call as fragments: the first has its id and name, the rest pieces of the arguments, each call's
    /// in turn (OpenAI does not interleave parallel calls), so a fragment of another call than the open one starts it.
    /// </summary>
    private async ValueTask OpenAIPiecesAsync(List<OpenAIToolCall> fragments)
    {
        foreach (OpenAIToolCall fragment in fragments)
        {
            if (fragment is { Id: { Length: > 0 } id, Function.Name: { Length: > 0 } name } && !_streamedCalls.Contains(id))
            {
                await StartToolUseAsync(id, name).ConfigureAwait(false);
                _streamedIndex = fragment.Index;
            }

            if (fragment.Function?.Arguments is { Length: > 0 } piece && _open == Open.ToolUse && fragment.Index == _streamedIndex)
            {
                await DeltaAsync(InputJsonDelta, PartialJsonField, piece).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask StartToolUseAsync(string id, string name)
    {
        await CloseAsync().ConfigureAwait(false);
        await ToolUseStartAsync(id, name).ConfigureAwait(false);
        _streamedCalls.Add(id);
        _open = Open.ToolUse;
    }

    private async ValueTask OpenAsync(Open kind)
    {
        if (_open == kind)
        {
            return;
        }

        await CloseAsync().ConfigureAwait(false);
        await StartBlockAsync(kind == Open.Text ? TextType : ThinkingType, null).ConfigureAwait(false);
        _open = kind;
    }

    private async ValueTask StartBlockAsync(JsonEncodedText type, string? data)
    {
        _index++;
        Begin("content_block_start"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "content_block_start"u8);
        _json.WriteNumber("index"u8, _index);
        _json.WriteStartObject("content_block"u8);
        _json.WriteString("type"u8, type);
        if (type.Equals(TextType))
        {
            _json.WriteString("text"u8, ""u8);
        }
        else if (type.Equals(ThinkingType))
        {
            _json.WriteString("thinking"u8, ""u8);
            _json.WriteString("signature"u8, ""u8);
        }
        else
        {
            _json.WriteString("data"u8, data);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
        await PingOnceAsync().ConfigureAwait(false);
    }

    private async ValueTask ToolUseAsync(FunctionCallContent call)
    {
        await ToolUseStartAsync(call.CallId, call.Name).ConfigureAwait(false);
        await DeltaAsync(InputJsonDelta, PartialJsonField, WireContent.ArgumentsToJson(call.Arguments)).ConfigureAwait(false);
        await StopBlockAsync().ConfigureAwait(false);
    }

    private async ValueTask ToolUseStartAsync(string id, string name)
    {
        _index++;
        Begin("content_block_start"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "content_block_start"u8);
        _json.WriteNumber("index"u8, _index);
        _json.WriteStartObject("content_block"u8);
        _json.WriteString("type"u8, "tool_use"u8);
        _json.WriteString("id"u8, id);
        _json.WriteString("name"u8, name);
        _json.WriteStartObject("input"u8);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
        await PingOnceAsync().ConfigureAwait(false);
    }

    private async ValueTask DeltaAsync(JsonEncodedText type, JsonEncodedText field, string value)
    {
        Begin("content_block_delta"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "content_block_delta"u8);
        _json.WriteNumber("index"u8, _index);
        _json.WriteStartObject("delta"u8);
        _json.WriteString("type"u8, type);
        _json.WriteString(field, value);
        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
    }

    private async ValueTask CloseAsync()
    {
        if (_open == Open.None)
        {
            return;
        }

        _open = Open.None;
        await StopBlockAsync().ConfigureAwait(false);
    }

    private async ValueTask StopBlockAsync()
    {
        Begin("content_block_stop"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "content_block_stop"u8);
        _json.WriteNumber("index"u8, _index);
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
    }

    private async ValueTask PingOnceAsync()
    {
        if (_pinged)
        {
            return;
        }

        _pinged = true;
        pipe.Write("event: ping\ndata: {\"type\": \"ping\"}\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Begin(ReadOnlySpan<byte> name)
    {
        pipe.Write("event: "u8);
        pipe.Write(name);
        pipe.Write("\ndata: "u8);
        _json.Reset(pipe);
    }

    private async ValueTask EndAsync()
    {
        _json.Flush();
        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
