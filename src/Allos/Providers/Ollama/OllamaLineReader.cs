using System.Text.Json;

namespace Allos.Providers.Ollama;

/// <summary>
/// Reads the line that makes up almost all of a streamed answer —
/// <c>{"model":…,"created_at":…,"message":{"role":…,"content":…},"done":false}</c> — straight from its bytes, without
/// the DTO graph and the serializer's per-call state; the model name is kept as one string per stream and the timestamp
/// is parsed from the bytes, without a string.
/// </summary>
/// <remarks>
/// Only that exact shape is accepted: any other field or value type (thinking, tool calls, the final line, errors,
/// invalid JSON) makes it decline, and the line is deserialized as before. Not thread-safe: one instance per stream.
/// </remarks>
internal sealed class OllamaLineReader
{
    private string? _model;
    private byte[]? _modelUtf8;

    /// <summary>Reads <paramref name="line"/> if it is a text-only line.</summary>
    public bool TryReadText(ReadOnlySpan<byte> line, out OllamaTextLine text)
    {
        text = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? model = null, content = null;
            DateTimeOffset? created = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    model = ReadModel(ref reader);
                }
                else if (reader.ValueTextEquals("created_at"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    created = ParseTime(ref reader);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    if (!reader.Read() || !TryReadMessage(ref reader, out content))
                    {
                        return false;
                    }
                }
                else if (!reader.ValueTextEquals("done"u8) || !reader.Read() || reader.TokenType != JsonTokenType.False)
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            text = new OllamaTextLine(model, created, content);
            return true;
        }
        catch (JsonException)
        {
            return false; // the serializer reads it again and reports the error as it always has
        }
    }

    /// <summary>The model name, as one string per stream: every line repeats it.</summary>
    private string? ReadModel(ref Utf8JsonReader reader)
    {
        if (_modelUtf8 is not null && !reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(_modelUtf8))
        {
            return _model;
        }

        _model = reader.GetString();
        _modelUtf8 = reader.HasValueSequence || reader.ValueIsEscaped ? null : reader.ValueSpan.ToArray();
        return _model;
    }

    private static bool TryReadMessage(ref Utf8JsonReader reader, out string? content)
    {
        content = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isContent = reader.ValueTextEquals("content"u8);
            if (!(isContent || reader.ValueTextEquals("role"u8)) || !reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                return false;
            }

            if (isContent)
            {
                content = reader.GetString();
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>
    /// What <see cref="OllamaResponseParser.ParseTime"/> makes of the string value: read from the bytes when it is the
    /// strict form (every line Ollama writes), else through the string (escaped or unusual values, rare).
    /// </summary>
    private static DateTimeOffset? ParseTime(ref Utf8JsonReader reader) =>
        !reader.HasValueSequence && !reader.ValueIsEscaped && Rfc3339.TryParse(reader.ValueSpan, out DateTimeOffset fast)
            ? fast
            : OllamaResponseParser.ParseTime(reader.GetString());
}

/// <summary>A text-only stream line, as <see cref="OllamaLineReader"/> read it.</summary>
internal readonly record struct OllamaTextLine(string? Model, DateTimeOffset? CreatedAt, string? Content);
