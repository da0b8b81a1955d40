using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HandlebarsDotNet;
using HandlebarsDotNet.IO;

namespace Allos.Prompts;

/// <summary>
/// Handlebars (Handlebars.Net) as prompts use it: no HTML escaping (a prompt is not HTML), only the helpers
/// <see cref="TemplateScanner"/> allows, and input values inserted as text, never read as template syntax.
/// </summary>
internal static class TemplateEngine
{
    private static readonly IHandlebars Handlebars = Create();

    /// <summary>Compiles <paramref name="text"/>; the caller has scanned it (<see cref="TemplateScanner.Scan"/>).</summary>
    /// <exception cref="PromptException">Handlebars rejects it.</exception>
    public static Func<IReadOnlyDictionary<string, object?>, string> Compile(string text, string file, int line)
    {
        HandlebarsTemplate<object, object> template;
        try
        {
            template = Handlebars.Compile(text);
        }
        catch (HandlebarsException ex)
        {
            throw new PromptException($"the template does not compile: {ex.Message}", file, line);
        }

        return variables => template(variables);
    }

    /// <summary>Writes a value as JSON (the <c>json</c> helper): the plain objects <see cref="PromptInput"/> produces.</summary>
    public static string ToJson(object? value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IHandlebars Create()
    {
        var configuration = new HandlebarsConfiguration { NoEscape = true, FormatProvider = CultureInfo.InvariantCulture };
        configuration.FormatterProviders.Add(new ScalarFormatter());
        IHandlebars handlebars = HandlebarsDotNet.Handlebars.Create(configuration);
        handlebars.RegisterHelper("json", (writer, _, arguments) => writer.WriteSafeString(ToJson(arguments.Length > 0 ? arguments[0] : null)));
        return handlebars;
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case JsonElement json:
                json.WriteTo(writer);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case long whole:
                writer.WriteNumberValue(whole);
                break;
            case int small:
                writer.WriteNumberValue(small);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Booleans print as <c>true</c>/<c>false</c> (as in Handlebars.js and JSON), not .NET's <c>True</c>.</summary>
    private sealed class ScalarFormatter : IFormatter, IFormatterProvider
    {
        public void Format<T>(T value, in EncodedTextWriter writer) =>
            writer.WriteSafeString(value is true ? "true" : "false");

        public bool TryCreateFormatter(Type type, out IFormatter formatter)
        {
            formatter = this;
            return type == typeof(bool);
        }
    }
}
