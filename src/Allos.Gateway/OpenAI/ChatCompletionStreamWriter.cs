using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>
/// Writes the Router's updates as OpenAI's <c>chat.completion.chunk</c> server-sent events: a first chunk with the role,
/// one chunk per text or reasoning delta, a tool call as a chunk with its index, id and name and then one with its
/// arguments, a final chunk with the finish reason, the usage chunk (with <c>include_usage</c>) and <c>data: [DONE]</c>.
/// </summary>
/// <remarks>Not thread-safe: one instance per response. Events are only buffered; the caller flushes after each update.</remarks>
internal sealed class ChatCompletionStreamWriter : IDisposable
{
    private readonly PipeWriter _body;
    private readonly Utf8JsonWriter _json;
    private readonly string _model;
    private readonly bool _includeUsage;
    private string? _id;
    private long _created;
    private int _toolCalls;
    private ChatFinishReason? _finishReason;
    private UsageDetails? _usage;

    // A text or reasoning chunk differs from the last only in its text, so each is three writes: the bytes up to the
    // string (made once, in Start), the escaped string, and the fixed tail; Utf8JsonWriter writes only the string.
    private byte[] _contentPrefix = [];
    private byte[]? _reasoningPrefix;

    public ChatCompletionStreamWriter(PipeWriter body, string model, bool includeUsage)
    {
        _body = body;
        _model = model;
        _includeUsage = includeUsage;
        _json = new Utf8JsonWriter(body, OpenAIWire.WriterOptions);
    }

    /// <summary>Writes the role chunk; <paramref name="first"/> (the first update) supplies the id and the time.</summary>
    public void Start(ChatResponseUpdate? first)
    {
        _id = OpenAIWire.CompletionId(first?.ResponseId);
        _created = OpenAIWire.Created(first?.CreatedAt);
        _contentPrefix = DeltaPrefix("content");
        BeginChunk();
        _json.WriteString("role", "assistant");
        _json.WriteString("content", "");
        EndChunk(finishReason: null);
    }

    public void Add(ChatResponseUpdate update)
    {
        foreach (AIContent content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    WriteDelta(_contentPrefix, text.Text);
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    WriteDelta(_reasoningPrefix ??= DeltaPrefix("reasoning_content"), reasoning.Text);
                    break;
                case FunctionCallContent call:
                    WriteToolCall(call);
                    break;
                case UsageContent usage:
                    _usage = usage.Details;
                    break;
            }
        }

        _finishReason = update.FinishReason ?? _finishReason;
    }

    /// <summary>Writes the finish chunk, the usage chunk when asked for, and <c>[DONE]</c>.</summary>
    public void Finish()
    {
        BeginChunk();
        EndChunk(OpenAIWire.FinishReason(_finishReason, _toolCalls > 0));
        if (_includeUsage)
        {
            _body.Write("data: "u8);
            WriteHeader();
            _json.WriteStartArray("choices");
            _json.WriteEndArray();
            OpenAIWire.WriteUsage(_json, _usage);
            _json.WriteEndObject();
            EndEvent();
        }

        _body.Write("data: [DONE]\n\n"u8);
    }

    /// <summary>Writes a failure after the stream began as an <c>error</c> event in OpenAI's error shape; the stream ends after it.</summary>
    public void Fail(GatewayError error)
    {
        _body.Write("event: error\ndata: "u8);
        OpenAIErrorWriter.Write(_json, error);
        EndEvent();
    }

    public void Dispose() => _json.Dispose();

    private void WriteToolCall(FunctionCallContent call)
    {
        int index = _toolCalls++;
        BeginChunk();
        _json.WriteStartArray("tool_calls");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        _json.WriteString("id", call.CallId);
        _json.WriteString("type", "function");
        _json.WriteStartObject("function");
        _json.WriteString("name", call.Name);
        _json.WriteString("arguments", "");
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        EndChunk(finishReason: null);

        BeginChunk();
        _json.WriteStartArray("tool_calls");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        _json.WriteStartObject("function");
        _json.WriteString("arguments", WireContent.ArgumentsToJson(call.Arguments));
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        EndChunk(finishReason: null);
    }

    private void WriteDelta(byte[] prefix, string text)
    {
        _body.Write(prefix);
        _json.WriteStringValue(text);
        _json.Flush();
        _json.Reset();
        _body.Write(_includeUsage ? """},"logprobs":null,"finish_reason":null}],"usage":null}"""u8 + "\n\n"u8 : """},"logprobs":null,"finish_reason":null}]}"""u8 + "\n\n"u8);
    }

    /// <summary>The bytes of a chunk up to <c>"delta":{"name":</c>, as <see cref="BeginChunk"/> and a property name write them.</summary>
    private byte[] DeltaPrefix(string name)
    {
        var bytes = new ArrayBufferWriter<byte>(256);
        bytes.Write("data: "u8);
        _json.Reset(bytes);
        WriteHeader();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", 0);
        _json.WriteStartObject("delta");
        _json.WritePropertyName(name);
        _json.Flush();
        _json.Reset(_body);
        return bytes.WrittenSpan.ToArray();
    }

    private void WriteHeader()
    {
        _json.WriteStartObject();
        _json.WriteString("id", _id);
        _json.WriteString("object", "chat.completion.chunk");
        _json.WriteNumber("created", _created);
        _json.WriteString("model", _model);
    }

    /// <summary>Opens <c>data: {…,"choices":[{"index":0,"delta":{</c>; the caller writes the delta's fields.</summary>
    private void BeginChunk()
    {
        _body.Write("data: "u8);
        WriteHeader();
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", 0);
        _json.WriteStartObject("delta");
    }

    private void EndChunk(string? finishReason)
    {
        _json.WriteEndObject();
        _json.WriteNull("logprobs");
        if (finishReason is null)
        {
            _json.WriteNull("finish_reason");
        }
        else
        {
            _json.WriteString("finish_reason", finishReason);
        }

        _json.WriteEndObject();
        _json.WriteEndArray();

        // With include_usage OpenAI sends "usage":null on every chunk but the last.
        if (_includeUsage)
        {
            _json.WriteNull("usage");
        }

        _json.WriteEndObject();
        EndEvent();
    }

    private void EndEvent()
    {
        _json.Flush();
        _json.Reset();
        _body.Write("\n\n"u8);
    }
}
