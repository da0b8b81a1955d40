using System.Text.Json;

namespace Allos.Providers.Gemini;

/// <summary>
/// Reads the chunk that makes up almost all of a streamed answer — one candidate with one text part, its usage so far,
/// the model and response id — straight from its bytes, without the DTO graph and the serializer's per-call state.
/// </summary>
/// <remarks>
/// Only that shape is accepted: any other field or value type (thoughts, signatures, calls, inline data, prompt
/// feedback, errors, invalid JSON), or a response id, model or time not known yet, makes it decline, and the chunk is
/// deserialized as before. Inside <c>usageMetadata</c>, fields the DTO does not read are skipped, as the DTO skips them.
/// </remarks>
internal static class GeminiChunkReader
{
    /// <summary>Reads <paramref name="json"/> if it is a text chunk; <paramref name="usage"/> is filled with its counts.</summary>
    public static bool TryReadText(ReadOnlySpan<byte> json, bool knowsCreated, GeminiUsageMetadata usage, out string? text, out string? finishReason)
    {
        text = null;
        finishReason = null;
        usage.PromptTokenCount = usage.CandidatesTokenCount = usage.TotalTokenCount = null;
        usage.CachedContentTokenCount = usage.ThoughtsTokenCount = usage.ToolUsePromptTokenCount = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool candidates = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("candidates"u8))
                {
                    if (candidates || !reader.Read() || !TryReadCandidates(ref reader, ref text, ref finishReason))
                    {
                        return false;
                    }

                    candidates = true;
                }
                else if (reader.ValueTextEquals("usageMetadata"u8))
                {
                    if (!reader.Read() || !TryReadUsage(ref reader, usage))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("modelVersion"u8) || reader.ValueTextEquals("responseId"u8) || (knowsCreated && reader.ValueTextEquals("createTime"u8)))
                {
                    if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        return false;
                    }
                }
                else
                {
                    return false;
                }
            }

            return candidates && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false; // the serializer reads it again and reports the error as it always has
        }
    }

    /// <summary>Reads <c>[{"content":{"parts":[{"text":"…"}],"role":"model"},"finishReason":"STOP","index":0}]</c>.</summary>
    private static bool TryReadCandidates(ref Utf8JsonReader reader, ref string? text, ref string? finishReason)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                if (!reader.Read() || !TryReadContent(ref reader, ref text))
                {
                    return false;
                }
            }
            else if (reader.ValueTextEquals("finishReason"u8))
            {
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }

                finishReason = reader.GetString();
            }
            else if (!reader.ValueTextEquals("index"u8) || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out _))
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool TryReadContent(ref Utf8JsonReader reader, ref string? text)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("parts"u8))
            {
                // Exactly one part, holding only text.
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject
                    || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("text"u8)
                    || !reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }

                text = reader.GetString();
                if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }
            }
            else if (!reader.ValueTextEquals("role"u8) || !reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadUsage(ref Utf8JsonReader reader, GeminiUsageMetadata usage)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            long? count;
            if (reader.ValueTextEquals("promptTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.PromptTokenCount = count;
            }
            else if (reader.ValueTextEquals("candidatesTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.CandidatesTokenCount = count;
            }
            else if (reader.ValueTextEquals("totalTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.TotalTokenCount = count;
            }
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.CachedContentTokenCount = count;
            }
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.ThoughtsTokenCount = count;
            }
            else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
            {
                if (!TryReadCount(ref reader, out count))
                {
                    return false;
                }

                usage.ToolUsePromptTokenCount = count;
            }
            else if (!reader.Read() || !reader.TrySkip())
            {
                return false; // promptTokensDetails, trafficType and the rest: the DTO does not read them either
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadCount(ref Utf8JsonReader reader, out long? count)
    {
        count = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
        {
            return false;
        }

        count = value;
        return true;
    }
}
