using System.Text.Json;

namespace Allos.Providers.OpenAI;

/// <summary>
/// Reads the chunk that makes up almost all of a streamed answer — one choice whose delta is only text — straight from
/// its bytes, without the DTO graph and the serializer's per-call state. A stream is hundreds of these.
/// </summary>
/// <remarks>
/// Only that exact shape is accepted: any other field, value type or a second choice (the first chunk's role, tool calls,
/// reasoning, refusals, a finish reason, usage, errors, invalid JSON) makes it decline, and the chunk is deserialized as
/// before, so what a stream yields does not depend on which path read it.
/// </remarks>
internal static class OpenAIChunkReader
{
    /// <summary>Reads <paramref name="json"/> if it is a text-only chunk; <paramref name="text"/> is its delta (null when absent).</summary>
    public static bool TryReadText(ReadOnlySpan<byte> json, out string? text)
    {
        text = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool choices = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    if (choices || !reader.Read() || !TryReadChoices(ref reader, ref text))
                    {
                        return false;
                    }

                    choices = true;
                }
                else if (reader.ValueTextEquals("id"u8) || reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("system_fingerprint"u8)
                    || reader.ValueTextEquals("service_tier"u8))
                {
                    if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null) || reader.ValueTextEquals("error"u8))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("created"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out _))
                    {
                        return false;
                    }
                }
                else if (!reader.ValueTextEquals("usage"u8) || !reader.Read() || reader.TokenType != JsonTokenType.Null)
                {
                    return false;
                }
            }

            return choices && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false; // the serializer reads it again and reports the error as it always has
        }
    }

    /// <summary>Reads <c>[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}]</c>.</summary>
    private static bool TryReadChoices(ref Utf8JsonReader reader, ref string? text)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                if (!reader.Read() || !TryReadDelta(ref reader, ref text))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("index"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out _))
                {
                    return false;
                }
            }
            else if (!(reader.ValueTextEquals("logprobs"u8) || reader.ValueTextEquals("finish_reason"u8)) || !reader.Read() || reader.TokenType != JsonTokenType.Null)
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool TryReadDelta(ref Utf8JsonReader reader, ref string? text)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }

                text = reader.GetString();
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }
            }
            else if (!reader.ValueTextEquals("refusal"u8) || !reader.Read() || reader.TokenType != JsonTokenType.Null)
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }
}
