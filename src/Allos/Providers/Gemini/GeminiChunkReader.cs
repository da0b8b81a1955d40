using System.Text.Json;

namespace Allos.Providers.Gemini;

/// <summary>
/// Reads the chunk that makes up almost all of a streamed answer — one candidate with one text part, then its usage so
/// far, the model and response id — straight from its bytes, without the DTO graph and the serializer's per-call state.
/// </summary>
/// <remarks>
/// Only the candidate is read: the rest of the chunk (the tail) is the cumulative usage and copies of the model and id,
/// of which only the last chunk's matter, so the caller keeps the tail's bytes and deserializes the last one (see
/// <see cref="GeminiStreamAssembler"/>). Any other candidate shape (thoughts, signatures, calls, inline data, several
/// parts or candidates), a tail that names prompt feedback, an error, a second candidates list or a creation time not
/// known yet, or a tail that does not end with <c>}</c>, makes it decline, and the chunk is deserialized as before. The
/// tail of a chunk that a later one replaces is never parsed: a malformed usage value there goes unnoticed, as the
/// counts it would have given are superseded anyway.
/// </remarks>
internal static class GeminiChunkReader
{
    /// <summary>Reads <paramref name="json"/> if it is a text chunk; <paramref name="tailStart"/> is where its tail begins.</summary>
    public static bool TryReadText(ReadOnlySpan<byte> json, bool knowsCreated, out string? text, out string? finishReason, out int tailStart)
    {
        text = null;
        finishReason = null;
        tailStart = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("candidates"u8)
                || !reader.Read() || !TryReadCandidates(ref reader, ref text, ref finishReason))
            {
                return false;
            }

            tailStart = (int)reader.BytesConsumed;
        }
        catch (JsonException)
        {
            return false; // the serializer reads it again and reports the error as it always has
        }

        ReadOnlySpan<byte> tail = json[tailStart..].TrimEnd(" \t\r\n"u8);
        return tail.Length > 0 && tail[^1] == (byte)'}'
            && tail.IndexOf("\"promptFeedback\""u8) < 0 && tail.IndexOf("\"error\""u8) < 0 && tail.IndexOf("\"candidates\""u8) < 0
            && (knowsCreated || tail.IndexOf("\"createTime\""u8) < 0);
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
}
