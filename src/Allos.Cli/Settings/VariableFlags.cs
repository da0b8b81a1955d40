using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;

namespace Allos.Cli.Settings;

/// <summary>
/// <c>--var k=v</c> (repeatable) and <c>--var-file vars.json</c>, for <c>run</c> and <c>prompts render</c>. A bad value is
/// a usage error while parsing (exit 2), before any prompt is loaded or any model called.
/// </summary>
internal sealed class VariableFlags
{
    public VariableFlags()
    {
        Var.Validators.Add(result =>
        {
            foreach (Token token in result.Tokens)
            {
                if (Split(token.Value) is null)
                {
                    result.AddError($"--var takes NAME=VALUE (for example --var language=go), not '{token.Value}'.");
                }
            }
        });
        VarFile.CustomParser = ParseFile;
    }

    public Option<string[]> Var { get; } = new("--var") { HelpName = "NAME=VALUE", Description = "A variable (repeatable): a prompt input, and a run variable tools and instructions see", AllowMultipleArgumentsPerToken = false };

    public Option<IReadOnlyDictionary<string, object?>?> VarFile { get; } = new("--var-file") { HelpName = "FILE", Description = "A JSON object of variables (values keep their JSON types); --var wins over it" };

    public void AddTo(Command command)
    {
        command.Options.Add(Var);
        command.Options.Add(VarFile);
    }

    /// <summary>The variables: the file's, then each <c>--var</c> over them (the last of a name wins).</summary>
    public Dictionary<string, object?> Read(ParseResult result)
    {
        var variables = new Dictionary<string, object?>(result.GetValue(VarFile) ?? new Dictionary<string, object?>(), StringComparer.Ordinal);
        foreach (string pair in result.GetValue(Var) ?? [])
        {
            (string name, string value) = Split(pair)!.Value;
            variables[name] = value;
        }

        return variables;
    }

    private static (string Name, string Value)? Split(string pair)
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && pair[..equals].Trim().Length > 0 ? (pair[..equals].Trim(), pair[(equals + 1)..]) : null;
    }

    private static IReadOnlyDictionary<string, object?>? ParseFile(ArgumentResult result)
    {
        string? path = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (path is null)
        {
            return null;
        }

        string full = Path.GetFullPath(path);
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(full));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                result.AddError($"--var-file {full} holds {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not a JSON object such as {{\"language\": \"go\"}}.");
                return null;
            }

            // Plain values (not JsonElements), so prompt inputs and run variables read them as they read --var text.
            return document.RootElement.EnumerateObject().ToDictionary(property => property.Name, property => Plain(property.Value), StringComparer.Ordinal);
        }
        catch (JsonException ex)
        {
            result.AddError($"--var-file {full} is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            result.AddError($"--var-file: cannot read {full} ({ex.Message}).");
        }

        return null;
    }

    private static object? Plain(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => json.TryGetInt64(out long whole) ? whole : json.GetDouble(),
        JsonValueKind.Array => json.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.Object => json.EnumerateObject().ToDictionary(property => property.Name, property => Plain(property.Value), StringComparer.Ordinal),
        _ => null,
    };
}
