using System.Buffers;
using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Allos.Yaml;

/// <summary>YAML nodes as plain values: for data (prompt inputs, test variables) and for JSON documents written in YAML (schemas).</summary>
internal static class YamlValues
{
    /// <summary>
    /// A node as a plain value: a scalar stays text, for the consumer to type (an input declared as a string keeps
    /// <c>007</c>); a list or mapping becomes JSON with YAML's types inside (<c>[1, true]</c> holds a number and a boolean).
    /// </summary>
    public static object? ToObject(YamlNode node) => node switch
    {
        YamlScalarNode scalar when ConfigurationReader.IsEmpty(scalar) => null,
        YamlScalarNode scalar => scalar.Value,
        YamlSequenceNode or YamlMappingNode => ToJson(node),
        _ => null,
    };

    /// <summary>
    /// A node as JSON, with YAML's types for plain scalars (<c>true</c>, <c>3</c>, <c>null</c>); quoted scalars are strings.
    /// </summary>
    public static JsonElement ToJson(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    writer.WritePropertyName((key as YamlScalarNode)?.Value ?? "");
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (YamlNode item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar when scalar.Style is ScalarStyle.Plain or ScalarStyle.Any:
                WritePlain(writer, scalar.Value ?? "");
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WritePlain(Utf8JsonWriter writer, string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            writer.WriteNullValue();
        }
        else if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(text[0] is 't' or 'T');
        }
        else if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
        {
            writer.WriteNumberValue(whole);
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }
}
