using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Providers;
using Allos.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>
/// Writes streamed updates as Anthropic's server-sent events, each flushed as it is produced: <c>message_start</c>, then
/// per block <c>content_block_start</c>, its deltas and <c>content_block_stop</c> (indexes in order), a <c>ping</c> after
/// the first block starts (where Anthropic sends it), then <c>message_delta</c> (stop reason, usage) and <c>message_stop</c>.
/// </summary>
/// <remarks>
/// <para>
/// Text and thinking stream as they come. A tool call arrives whole from every codec, so its arguments go out as one
/// <c>input_json_delta</c>. A thinking block's signature (an empty reasoning update carrying
/// <see cref="TextReasoningContent.ProtectedData"/>) becomes its <c>signature_delta</c> and closes it.
/// </para>
/// <para>
/// Usage is known only when the upstream ends, so <c>message_start</c> reports zeros and <c>message_delta</c> the whole
/// count, input and cache tokens included (as Anthropic's own <c>message_delta</c> does). Not thread-safe: one per stream.
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
    private ChatFinishReason? _finish;
    private AdditionalPropertiesDictionary? _stopDetails;
    private UsageDetails? _usage;

    private enum Open
    {
        None,
        Text,
        Thinking,
    }

    public async ValueTask StartAsync(string? upstreamId)
    {
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
        AnthropicMessageWriter.WriteUsage(_json, null);
        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
    }

    public async ValueTask AddAsync(ChatResponseUpdate update)
    {
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
        _index++;
        Begin("content_block_start"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, "content_block_start"u8);
        _json.WriteNumber("index"u8, _index);
        _json.WriteStartObject("content_block"u8);
        _json.WriteString("type"u8, "tool_use"u8);
        _json.WriteString("id"u8, call.CallId);
        _json.WriteString("name"u8, call.Name);
        _json.WriteStartObject("input"u8);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndObject();
        await EndAsync().ConfigureAwait(false);
        await PingOnceAsync().ConfigureAwait(false);

        await DeltaAsync(InputJsonDelta, PartialJsonField, WireContent.ArgumentsToJson(call.Arguments)).ConfigureAwait(false);
        await StopBlockAsync().ConfigureAwait(false);
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
