using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Allos.Cli.Admin;

/// <summary>The sections of <c>allos config show</c>, each a list of named values; printed as aligned text or as one JSON object.</summary>
internal sealed class ConfigReport
{
    private readonly List<(string Name, List<(string Key, string Value)> Entries)> _sections = [];

    public ConfigReport Section(string name)
    {
        _sections.Add((name, []));
        return this;
    }

    public ConfigReport Add(string key, string value)
    {
        _sections[^1].Entries.Add((key, value));
        return this;
    }

    public void WriteText(IAnsiConsole console)
    {
        bool first = true;
        foreach ((string name, List<(string Key, string Value)> entries) in _sections)
        {
            if (!first)
            {
                console.WriteLine();
            }

            first = false;
            console.MarkupLine($"[bold]{Markup.Escape(name)}[/]");
            int width = entries.Count == 0 ? 0 : entries.Max(entry => entry.Key.Length);
            foreach ((string key, string value) in entries)
            {
                console.MarkupLine($"  [blue]{Markup.Escape(key.PadRight(width))}[/]  {Markup.Escape(value)}");
            }
        }
    }

    public void WriteJson(TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach ((string name, List<(string Key, string Value)> entries) in _sections)
            {
                json.WriteStartObject(name);
                foreach ((string key, string value) in entries)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static string Duration(TimeSpan? span) => span switch
    {
        null => "none",
        { TotalMilliseconds: < 1000 } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalMilliseconds:0}ms"),
        { TotalSeconds: < 120 } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalSeconds:0.#}s"),
        { TotalMinutes: < 120 } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalMinutes:0.#}m"),
        TimeSpan s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalHours:0.#}h"),
    };
}
