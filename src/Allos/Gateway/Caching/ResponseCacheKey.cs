using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>Computes the exact-match cache key of a request: a SHA-256 over a canonical form of what decides the answer.</summary>
/// <remarks>
/// <para>
/// Included: the alias; each message's role, author name and contents; the options that change the output (instructions,
/// sampling settings, stop sequences, response format, tool mode, reasoning, tools) and the options'
/// <see cref="ChatOptions.AdditionalProperties"/> except the <c>allos.</c> entries (per-request Router settings, see
/// <see cref="RouterChatOptions"/>). Object keys inside JSON values (tool arguments, schemas) are sorted, so their order
/// does not matter.
/// </para>
/// <para>
/// Not included: <see cref="ChatOptions.ModelId"/> (the alias stands for it), <see cref="ChatOptions.ConversationId"/>,
/// message ids, timestamps, raw representations and messages' additional properties.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public static class ResponseCacheKey
{
    // Canonical bytes are hashed in chunks once they pass this size, so a long conversation needs no large buffer.
    private const int HashChunkBytes = 16 * 1024;

    // A buffer that grew past this (a large image) is not kept for the thread's next request.
    private const int MaxRetainedBytes = 256 * 1024;

    // Bumped whenever the canonical form changes, so old persistent entries stop matching instead of matching wrongly.
    private const string FormatVersion = "1";

    private const string RouterPropertyPrefix = "allos.";

    [ThreadStatic]
    private static KeyWriter? t_cached;

    /// <summary>Returns the key (64 lowercase hex characters) of a request for <paramref name="alias"/>.</summary>
    /// <param name="alias">The alias or model id the request names.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, or <see langword="null"/> (the same key as empty options).</param>
    public static string Compute(string alias, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(messages);

        // Rented from the thread rather than shared: a reentrant call (a content's ToString computing a key) gets its own.
        KeyWriter state = t_cached ?? new KeyWriter();
        t_cached = null;
        try
        {
            return state.Compute(alias, messages, options);
        }
        finally
        {
            if (state.Reset(MaxRetainedBytes))
            {
                t_cached = state;
            }
        }
    }

    private sealed class KeyWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _json;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public KeyWriter() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

        public string Compute(string alias, IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            Utf8JsonWriter json = _json;
            json.WriteStartObject();
            json.WriteString("v"u8, FormatVersion);
            json.WriteString("alias"u8, alias);
            json.WriteStartArray("messages"u8);
            foreach (ChatMessage message in messages)
            {
                ArgumentNullException.ThrowIfNull(message, nameof(messages));
                WriteMessage(message);
                HashIfLarge();
            }

            json.WriteEndArray();
            json.WriteStartObject("options"u8);
            if (options is not null)
            {
                // Unset options write nothing, so no options and empty options share a key.
                WriteOptions(options);
            }

            json.WriteEndObject();

            json.WriteEndObject();
            json.Flush();
            _hash.AppendData(_buffer.WrittenSpan);

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            _hash.GetHashAndReset(digest);
            return Convert.ToHexStringLower(digest);
        }

        /// <summary>Clears the state for reuse; returns whether it is worth keeping.</summary>
        public bool Reset(int maxRetainedBytes)
        {
            // After an exception the writer and hash may hold partial data; resetting both makes the state reusable.
            _json.Reset(_buffer);
            _buffer.ResetWrittenCount();
            Span<byte> discard = stackalloc byte[SHA256.HashSizeInBytes];
            _hash.GetHashAndReset(discard);
            return _buffer.Capacity <= maxRetainedBytes;
        }

        private void HashIfLarge()
        {
            if (_json.BytesPending + _buffer.WrittenCount < HashChunkBytes)
            {
                return;
            }

            // Hashing is a pure function of the byte stream, so hashing in chunks gives the same digest as hashing once.
            _json.Flush();
            _hash.AppendData(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }

        private void WriteMessage(ChatMessage message)
        {
            Utf8JsonWriter json = _json;
            json.WriteStartObject();
            json.WriteString("role"u8, message.Role.Value);
            if (message.AuthorName is { } author)
            {
                json.WriteString("author"u8, author);
            }

            json.WriteStartArray("contents"u8);
            foreach (AIContent content in message.Contents)
            {
                WriteContent(content);
                HashIfLarge();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        private void WriteContent(AIContent content)
        {
            Utf8JsonWriter json = _json;
            json.WriteStartObject();
            switch (content)
            {
                case TextContent text:
                    json.WriteString("text"u8, text.Text);
                    break;
                case TextReasoningContent reasoning:
                    json.WriteString("reasoning"u8, reasoning.Text);
                    if (reasoning.ProtectedData is { } protectedData)
                    {
                        // Providers receive it back, and it can differ for the same visible text.
                        json.WriteString("protected"u8, protectedData);
                    }

                    break;
                case DataContent data:
                    json.WriteString("data_type"u8, data.MediaType);
                    json.WriteBase64String("data"u8, data.Data.Span);
                    break;
                case UriContent uri:
                    json.WriteString("uri_type"u8, uri.MediaType);
                    json.WriteString("uri"u8, uri.Uri.OriginalString);
                    break;
                case FunctionCallContent call:
                    json.WriteString("call_id"u8, call.CallId);
                    json.WriteString("call_name"u8, call.Name);
                    json.WritePropertyName("call_arguments"u8);
                    if (call.Arguments is null)
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        WriteDictionary(call.Arguments);
                    }

                    break;
                case FunctionResultContent result:
                    json.WriteString("result_id"u8, result.CallId);
                    json.WritePropertyName("result"u8);
                    WriteValue(result.Result);
                    break;
                default:
                    json.WriteString("type"u8, content.GetType().FullName);
                    json.WriteString("value"u8, content.ToString());
                    break;
            }

            json.WriteEndObject();
        }

        private void WriteOptions(ChatOptions options)
        {
            Utf8JsonWriter json = _json;
            if (options.Instructions is { } instructions)
            {
                json.WriteString("instructions"u8, instructions);
            }

            WriteNumber("temperature"u8, options.Temperature);
            WriteNumber("top_p"u8, options.TopP);
            WriteNumber("frequency_penalty"u8, options.FrequencyPenalty);
            WriteNumber("presence_penalty"u8, options.PresencePenalty);
            if (options.TopK is { } topK)
            {
                json.WriteNumber("top_k"u8, topK);
            }

            if (options.MaxOutputTokens is { } maxOutputTokens)
            {
                json.WriteNumber("max_output_tokens"u8, maxOutputTokens);
            }

            if (options.Seed is { } seed)
            {
                json.WriteNumber("seed"u8, seed);
            }

            if (options.StopSequences is { } stops)
            {
                json.WriteStartArray("stop"u8);
                foreach (string stop in stops)
                {
                    json.WriteStringValue(stop);
                }

                json.WriteEndArray();
            }

            switch (options.ResponseFormat)
            {
                case null:
                    break;
                case ChatResponseFormatJson format:
                    json.WriteStartObject("format"u8);
                    json.WriteString("type"u8, "json"u8);
                    WriteOptionalString("schema_name"u8, format.SchemaName);
                    WriteOptionalString("schema_description"u8, format.SchemaDescription);
                    if (format.Schema is { } schema)
                    {
                        json.WritePropertyName("schema"u8);
                        WriteElement(schema);
                    }

                    json.WriteEndObject();
                    break;
                case ChatResponseFormatText:
                    json.WriteString("format"u8, "text"u8);
                    break;
                default:
                    json.WriteString("format"u8, options.ResponseFormat.GetType().FullName);
                    break;
            }

            switch (options.ToolMode)
            {
                case null:
                    break;
                case RequiredChatToolMode required:
                    json.WriteString("tool_mode"u8, "required:" + required.RequiredFunctionName);
                    break;
                case NoneChatToolMode:
                    json.WriteString("tool_mode"u8, "none"u8);
                    break;
                case AutoChatToolMode:
                    json.WriteString("tool_mode"u8, "auto"u8);
                    break;
                default:
                    json.WriteString("tool_mode"u8, options.ToolMode.GetType().FullName);
                    break;
            }

            if (options.AllowMultipleToolCalls is { } allowMultiple)
            {
                json.WriteBoolean("multiple_tool_calls"u8, allowMultiple);
            }

            if (options.Reasoning is { } reasoning)
            {
                json.WriteStartObject("reasoning"u8);
                if (reasoning.Effort is { } effort)
                {
                    json.WriteNumber("effort"u8, (int)effort);
                }

                if (reasoning.Output is { } output)
                {
                    json.WriteNumber("output"u8, (int)output);
                }

                json.WriteEndObject();
            }

            if (options.Tools is { } tools)
            {
                json.WriteStartArray("tools"u8);
                foreach (AITool tool in tools)
                {
                    json.WriteStartObject();
                    json.WriteString("name"u8, tool.Name);
                    if (tool is AIFunctionDeclaration function)
                    {
                        json.WriteString("description"u8, function.Description);
                        json.WritePropertyName("schema"u8);
                        WriteElement(function.JsonSchema);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (options.AdditionalProperties is { Count: > 0 } properties && HasNonRouterKey(properties))
            {
                json.WritePropertyName("additional"u8);
                WriteDictionary(properties, skipRouterKeys: true);
            }
        }

        private static bool HasNonRouterKey(AdditionalPropertiesDictionary properties)
        {
            // Only router settings means the same request as none at all.
            foreach (KeyValuePair<string, object?> pair in properties)
            {
                if (!pair.Key.StartsWith(RouterPropertyPrefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private void WriteNumber(ReadOnlySpan<byte> name, float? value)
        {
            if (value is { } number)
            {
                _json.WriteNumber(name, number);
            }
        }

        private void WriteOptionalString(ReadOnlySpan<byte> name, string? value)
        {
            if (value is not null)
            {
                _json.WriteString(name, value);
            }
        }

        private void WriteDictionary(IEnumerable<KeyValuePair<string, object?>> dictionary, bool skipRouterKeys = false)
        {
            // Most dictionaries are small and already in order; sorting only when needed avoids an allocation per call.
            string? previous = null;
            bool sorted = true;
            foreach (KeyValuePair<string, object?> pair in dictionary)
            {
                if (previous is not null && string.CompareOrdinal(previous, pair.Key) > 0)
                {
                    sorted = false;
                    break;
                }

                previous = pair.Key;
            }

            IEnumerable<KeyValuePair<string, object?>> ordered = sorted
                ? dictionary
                : dictionary.OrderBy(pair => pair.Key, StringComparer.Ordinal);

            _json.WriteStartObject();
            foreach (KeyValuePair<string, object?> pair in ordered)
            {
                if (skipRouterKeys && pair.Key.StartsWith(RouterPropertyPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                _json.WritePropertyName(pair.Key);
                WriteValue(pair.Value);
            }

            _json.WriteEndObject();
        }

        private void WriteValue(object? value)
        {
            Utf8JsonWriter json = _json;
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    break;
                case string text:
                    json.WriteStringValue(text);
                    break;
                case bool flag:
                    json.WriteBooleanValue(flag);
                    break;
                case int number:
                    json.WriteNumberValue(number);
                    break;
                case long number:
                    json.WriteNumberValue(number);
                    break;
                case double number:
                    json.WriteNumberValue(number);
                    break;
                case float number:
                    json.WriteNumberValue(number);
                    break;
                case decimal number:
                    json.WriteNumberValue(number);
                    break;
                case JsonElement element:
                    WriteElement(element);
                    break;
                case JsonNode node:
                    WriteNode(node);
                    break;
                case IEnumerable<KeyValuePair<string, object?>> dictionary:
                    WriteDictionary(dictionary);
                    break;
                case IDictionary dictionary:
                    WriteDictionary(Pairs(dictionary));
                    break;
                case IConvertible convertible when value is not IEnumerable:
                    // Other primitives (short, byte, DateTime, enums...): their invariant text is stable across runs.
                    json.WriteStringValue(convertible.ToString(CultureInfo.InvariantCulture));
                    break;
                case IEnumerable sequence:
                    json.WriteStartArray();
                    foreach (object? item in sequence)
                    {
                        WriteValue(item);
                    }

                    json.WriteEndArray();
                    break;
                default:
                    WriteObject(value);
                    break;
            }
        }

        private static IEnumerable<KeyValuePair<string, object?>> Pairs(IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return new(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "", entry.Value);
            }
        }

        private void WriteNode(JsonNode? node)
        {
            switch (node)
            {
                case null:
                    _json.WriteNullValue();
                    break;
                case JsonObject obj:
                    _json.WriteStartObject();
                    foreach (KeyValuePair<string, JsonNode?> property in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        _json.WritePropertyName(property.Key);
                        WriteNode(property.Value);
                    }

                    _json.WriteEndObject();
                    break;
                case JsonArray array:
                    _json.WriteStartArray();
                    foreach (JsonNode? item in array)
                    {
                        WriteNode(item);
                    }

                    _json.WriteEndArray();
                    break;
                default:
                    if (node.AsValue().TryGetValue(out JsonElement element))
                    {
                        WriteElement(element);
                    }
                    else
                    {
                        // A primitive value node writes itself with the converter it was created with.
                        node.WriteTo(_json);
                    }

                    break;
            }
        }

        private void WriteObject(object value)
        {
            // A type the source-generated options know serializes as its JSON; anything else by its name and text.
            if (AllosJson.Options.TryGetTypeInfo(value.GetType(), out JsonTypeInfo? typeInfo))
            {
                try
                {
                    WriteElement(JsonSerializer.SerializeToElement(value, typeInfo));
                    return;
                }
                catch (NotSupportedException)
                {
                    // Falls through to the textual form.
                }
            }

            _json.WriteStartObject();
            _json.WriteString("type"u8, value.GetType().FullName);
            _json.WriteString("value"u8, value.ToString());
            _json.WriteEndObject();
        }

        private void WriteElement(JsonElement element)
        {
            Utf8JsonWriter json = _json;
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    WriteJsonObject(element);
                    break;
                case JsonValueKind.Array:
                    json.WriteStartArray();
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        WriteElement(item);
                    }

                    json.WriteEndArray();
                    break;
                case JsonValueKind.Undefined:
                    json.WriteNullValue();
                    break;
                default:
                    element.WriteTo(json);
                    break;
            }
        }

        private void WriteJsonObject(JsonElement element)
        {
            string? previous = null;
            bool sorted = true;
            foreach (JsonProperty property in element.EnumerateObject())
            {
                if (previous is not null && string.CompareOrdinal(previous, property.Name) > 0)
                {
                    sorted = false;
                    break;
                }

                previous = property.Name;
            }

            _json.WriteStartObject();
            if (sorted)
            {
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _json.WritePropertyName(property.Name);
                    WriteElement(property.Value);
                }
            }
            else
            {
                JsonProperty[] properties = [.. element.EnumerateObject()];
                Array.Sort(properties, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (JsonProperty property in properties)
                {
                    _json.WritePropertyName(property.Name);
                    WriteElement(property.Value);
                }
            }

            _json.WriteEndObject();
        }
    }
}
