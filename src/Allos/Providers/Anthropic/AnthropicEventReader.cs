using System.Text.Json;

namespace Allos.Providers.Anthropic;

/// <summary>
/// Reads the event that makes up almost all of a streamed answer —
/// <c>{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"…"}}</c> — straight from its bytes,
/// without the DTO graph and the serializer's per-call state.
/// </summary>
/// <remarks>
/// Only that exact shape is accepted: any other field, value type or event (thinking, tool input, message events,
/// errors, invalid JSON) makes it decline, and the event is deserialized as before.
/// </remarks>
internal static class AnthropicEventReader
{
    /// <summary>Reads <paramref name="json"/> if it is a text delta.</summary>
    public static bool TryReadTextDelta(ReadOnlySpan<byte> json, out int index, out string? text)
    {
        index = 0;
        text = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool isDelta = false, hasIndex = false, hasText = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("content_block_delta"u8))
                    {
                        return false;
                    }

                    isDelta = true;
                }
                else if (reader.ValueTextEquals("index"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index))
                    {
                        return false;
                    }

                    hasIndex = true;
                }
                else if (!reader.ValueTextEquals("delta"u8) || !reader.Read() || !TryReadDelta(ref reader, out text))
                {
                    return false;
                }
                else
                {
                    hasText = true;
                }
            }

            return isDelta && hasIndex && hasText && reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false; // the serializer reads it again and reports the error as it always has
        }
    }

    private static bool TryReadDelta(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool isText = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("text_delta"u8))
                {
                    return false;
                }

                isText = true;
            }
            else if (!reader.ValueTextEquals("text"u8) || !reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                return false;
            }
            else
            {
                text = reader.GetString();
            }
        }

        return isText && reader.TokenType == JsonTokenType.EndObject;
    }
}
