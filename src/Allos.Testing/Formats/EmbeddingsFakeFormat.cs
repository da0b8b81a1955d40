using System.Text.Json;

namespace Allos.Testing.Formats;

/// <summary>Renders a scripted turn as the answer of an embeddings endpoint, in the OpenAI, Gemini or Ollama wire format.</summary>
internal static class EmbeddingsFakeFormat
{
    public static async Task WriteAsync(FakeExchange exchange, FakeWireFormat format, IFakeFormat errors)
    {
        FakeTurn turn = exchange.Turn;
        JsonElement json = exchange.Request.Json;
        List<string> inputs = Inputs(json, format);
        float[][]? vectors = Vectors(turn, inputs, out string? problem);
        if (vectors is null)
        {
            await exchange.WriteBodyAsync(errors.ErrorBody(500, problem!, null), 500).ConfigureAwait(false);
            return;
        }

        string body = format switch
        {
            FakeWireFormat.Gemini => Gemini(vectors),
            FakeWireFormat.Ollama => Ollama(vectors, exchange.Model, turn.Usage),
            _ => OpenAI(vectors, exchange.Model, turn.Usage,
                base64: json.ValueKind == JsonValueKind.Object && json.TryGetProperty("encoding_format", out JsonElement encoding) && encoding.ValueKind == JsonValueKind.String && encoding.GetString() == "base64"),
        };

        if (turn.DropAfterChunks is not null)
        {
            // Headers first, then the cut: the client meets a broken body, as when a connection resets mid-answer.
            await exchange.StartStreamAsync("application/json").ConfigureAwait(false);
            await exchange.ChunkAsync(body).ConfigureAwait(false);
            return;
        }

        await exchange.WriteBodyAsync(body).ConfigureAwait(false);
    }

    /// <summary>The texts a request asks to embed, in order.</summary>
    public static List<string> Inputs(JsonElement json, FakeWireFormat format)
    {
        var inputs = new List<string>();
        if (json.ValueKind != JsonValueKind.Object)
        {
            return inputs;
        }

        if (format == FakeWireFormat.Gemini)
        {
            if (json.TryGetProperty("requests", out JsonElement requests) && requests.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement request in requests.EnumerateArray())
                {
                    inputs.Add(string.Concat(request.GetProperty("content").GetProperty("parts").EnumerateArray()
                        .Select(part => part.TryGetProperty("text", out JsonElement text) ? text.GetString() : "")));
                }
            }

            return inputs;
        }

        if (json.TryGetProperty("input", out JsonElement input))
        {
            if (input.ValueKind == JsonValueKind.String)
            {
                inputs.Add(input.GetString()!);
            }
            else if (input.ValueKind == JsonValueKind.Array)
            {
                inputs.AddRange(input.EnumerateArray().Select(item => item.GetString() ?? ""));
            }
        }

        return inputs;
    }

    private static float[][]? Vectors(FakeTurn turn, List<string> inputs, out string? problem)
    {
        problem = null;
        if (turn.EmbeddingFunction is { } embed)
        {
            return [.. inputs.Select(embed)];
        }

        if (turn.EmbeddingVectors is not { } scripted)
        {
            problem = "FakeProviderServer: the scripted turn has no embeddings for this embeddings request. Enqueue FakeTurn.Embeddings(...).";
            return null;
        }

        if (scripted.Count < inputs.Count)
        {
            problem = $"FakeProviderServer: the request has {inputs.Count} inputs but the turn scripts {scripted.Count} vectors.";
            return null;
        }

        return [.. scripted.Take(inputs.Count)];
    }

    private static string OpenAI(float[][] vectors, string model, FakeUsage? usage, bool base64) => FakeExchange.Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        for (int i = 0; i < vectors.Length; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("object", "embedding");
            writer.WriteNumber("index", i);
            if (base64)
            {
                writer.WriteBase64String("embedding", LittleEndianBytes(vectors[i]));
            }
            else
            {
                WriteNumbers(writer, "embedding", vectors[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("model", model);
        if (usage is not null)
        {
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", usage.InputTokens);
            writer.WriteNumber("total_tokens", usage.InputTokens);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    });

    private static string Gemini(float[][] vectors) => FakeExchange.Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("embeddings");
        foreach (float[] vector in vectors)
        {
            writer.WriteStartObject();
            WriteNumbers(writer, "values", vector);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static string Ollama(float[][] vectors, string model, FakeUsage? usage) => FakeExchange.Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("model", model);
        writer.WriteStartArray("embeddings");
        foreach (float[] vector in vectors)
        {
            writer.WriteStartArray();
            foreach (float value in vector)
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteNumber("total_duration", 14_143_917);
        writer.WriteNumber("load_duration", 1_019_500);
        if (usage is not null)
        {
            writer.WriteNumber("prompt_eval_count", usage.InputTokens);
        }

        writer.WriteEndObject();
    });

    private static void WriteNumbers(Utf8JsonWriter writer, string name, float[] values)
    {
        writer.WriteStartArray(name);
        foreach (float value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static byte[] LittleEndianBytes(float[] values)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }
}
