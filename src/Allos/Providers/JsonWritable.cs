using System.Text.Json;
using System.Text.Json.Serialization;

namespace Allos.Providers;

/// <summary>
/// A part of a request body that writes itself when the body is serialized: the messages, written straight from the
/// caller's <see cref="Microsoft.Extensions.AI.ChatMessage"/>s, so a long history costs no object per message.
/// </summary>
internal abstract class JsonWritable
{
    public abstract void WriteTo(Utf8JsonWriter json);
}

/// <summary>Serializes a <see cref="JsonWritable"/> by letting it write itself. Request bodies are never read back.</summary>
internal sealed class JsonWritableConverter : JsonConverter<JsonWritable>
{
    public override JsonWritable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Request bodies are written, never read.");

    public override void Write(Utf8JsonWriter writer, JsonWritable value, JsonSerializerOptions options) => value.WriteTo(writer);
}
