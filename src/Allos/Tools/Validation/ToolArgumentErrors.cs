using System.Globalization;
using System.Text;
using System.Text.Json;
using Json.Schema;

namespace Allos.Tools.Validation;

/// <summary>Turns JsonSchema.Net's hierarchical results into one line per problem, each starting with the value's JSON path.</summary>
internal static class ToolArgumentErrors
{
    /// <summary>Past this many errors the model has enough to fix its call; the rest would only bloat the result.</summary>
    internal const int MaxErrors = 20;

    public static IReadOnlyList<string> Describe(EvaluationResults results, JsonElement arguments)
    {
        var problems = new List<Problem>();
        Collect(results, arguments, problems);
        if (problems.Count == 0)
        {
            // Every failing keyword Allos knows reports itself; this only guards against one that stays silent.
            return ["$ does not match the tool's parameters schema"];
        }

        // The library reports keywords in its own order; the model reads best in the order it wrote the arguments.
        Dictionary<string, int> order = DocumentOrder(arguments);
        return [.. problems
            .Select((problem, index) => (problem, index))
            .OrderBy(p => order.GetValueOrDefault(p.problem.Location, int.MaxValue))
            .ThenBy(p => p.index)
            .Select(p => p.problem.Text)
            .Distinct()
            .Take(MaxErrors)];
    }

    private static void Collect(EvaluationResults node, JsonElement root, List<Problem> problems)
    {
        if (node.IsValid)
        {
            return;
        }

        string location = node.InstanceLocation.ToString();
        string path = JsonPath(root, location);
        if (node.Errors is { } errors)
        {
            if (errors.TryGetValue("type", out string? types))
            {
                // One clear error per value: the other keywords would only repeat it in other words.
                problems.Add(new Problem(location, path, "must be " + JoinOr([.. types.Split(ReadableKeyword.TypeSeparator).Select(TypePhrase)]), types));
                return;
            }

            foreach ((string keyword, string message) in errors)
            {
                switch (keyword)
                {
                    case "":
                        problems.Add(new Problem(location, path, "is not allowed")); // A false schema, as additionalProperties: false.
                        break;
                    case "required":
                        using (JsonDocument missing = JsonDocument.Parse(message))
                        {
                            foreach (JsonElement name in missing.RootElement.EnumerateArray())
                            {
                                problems.Add(new Problem(location, Child(path, name.GetString()!), "is required"));
                            }
                        }

                        break;
                    default:
                        // Allos words the keywords tool schemas use; any other keeps the library's wording.
                        problems.Add(ReadableKeyword.All.Any(k => k.Name == keyword) || keyword == "pattern"
                            ? new Problem(location, path, message)
                            : new Problem(location, path + ":", message));
                        break;
                }
            }
        }

        string evaluationPath = node.EvaluationPath.ToString();
        foreach (IGrouping<string, EvaluationResults> group in (node.Details ?? []).GroupBy(child => KeywordOf(child, evaluationPath)))
        {
            switch (group.Key)
            {
                case "anyOf" or "oneOf":
                    Alternatives([.. group], root, location, path, problems);
                    break;
                case "not" or "if" or "contains":
                    break; // Their subschemas failing is not the error (not's own failure words itself).
                default:
                    foreach (EvaluationResults child in group)
                    {
                        Collect(child, root, problems);
                    }

                    break;
            }
        }
    }

    /// <summary>Every branch failed: say which types would do, or give the first complaint of each branch.</summary>
    private static void Alternatives(List<EvaluationResults> branches, JsonElement root, string location, string path, List<Problem> problems)
    {
        if (branches.Any(b => b.IsValid))
        {
            return;
        }

        var failures = new List<List<Problem>>();
        foreach (EvaluationResults branch in branches)
        {
            var branchProblems = new List<Problem>();
            Collect(branch, root, branchProblems);
            failures.Add(branchProblems);
        }

        if (failures.All(f => f.Count == 1 && f[0].Types is not null && f[0].Location == location))
        {
            string[] types = [.. failures.SelectMany(f => f[0].Types!.Split(ReadableKeyword.TypeSeparator)).Distinct()];
            problems.Add(new Problem(location, path, "must be " + JoinOr([.. types.Select(TypePhrase)]), string.Join(ReadableKeyword.TypeSeparator, types)));
            return;
        }

        problems.Add(new Problem(location, path, "does not match any of the allowed forms: "
            + string.Join("; or ", failures.Select(f => f.Count > 0 ? f[0].Text : path + " is not valid"))));
    }

    /// <summary>The keyword a child result was reached through: the first segment of its evaluation path past its parent's.</summary>
    private static string KeywordOf(EvaluationResults child, string parentPath)
    {
        string rest = child.EvaluationPath.ToString();
        rest = rest.Length > parentPath.Length ? rest[(parentPath.Length + 1)..] : "";
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }

    /// <summary><c>$.items[1].name</c> for the JSON pointer <c>/items/1/name</c>; array indexes only where the value is an array.</summary>
    private static string JsonPath(JsonElement root, string pointer)
    {
        string path = "$";
        JsonElement current = root;
        foreach (string raw in pointer.Split('/').Skip(1))
        {
            string segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < current.GetArrayLength())
            {
                path += "[" + segment + "]";
                current = current[index];
            }
            else
            {
                path = Child(path, segment);
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out JsonElement next) ? next : default;
            }
        }

        return path;
    }

    /// <summary><c>$.name</c> for plain names; <c>$['odd key']</c> for anything else, so the path stays unambiguous.</summary>
    private static string Child(string path, string name)
    {
        bool plain = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        if (plain)
        {
            return path + "." + name;
        }

        var builder = new StringBuilder(path).Append("['");
        foreach (char c in name)
        {
            builder.Append(c is '\'' or '\\' ? "\\" + c : c.ToString());
        }

        return builder.Append("']").ToString();
    }

    /// <summary>Pre-order positions of every value, keyed by JSON pointer: a parent before its children, siblings as written.</summary>
    private static Dictionary<string, int> DocumentOrder(JsonElement root)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        Visit(root, "");
        return order;

        void Visit(JsonElement value, string pointer)
        {
            order.TryAdd(pointer, order.Count);
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in value.EnumerateObject())
                    {
                        Visit(property.Value, pointer + "/" + property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
                    }

                    break;
                case JsonValueKind.Array:
                    int index = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        Visit(item, pointer + "/" + index++);
                    }

                    break;
            }
        }
    }

    private static string TypePhrase(string type) => type switch
    {
        "string" => "a string",
        "number" => "a number",
        "integer" => "an integer",
        "boolean" => "a boolean",
        "object" => "an object",
        "array" => "an array",
        _ => type, // null
    };

    private static string JoinOr(IReadOnlyList<string> parts) => parts.Count switch
    {
        0 => "",
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " or " + parts[^1],
    };

    /// <param name="Location">The JSON pointer of the value the problem was found at, to sort by.</param>
    /// <param name="Path">The JSON path of the offending value, as the model reads it.</param>
    /// <param name="Phrase">What is wrong with it.</param>
    /// <param name="Types">For a type mismatch, the allowed type names, so alternatives can merge them.</param>
    private sealed record Problem(string Location, string Path, string Phrase, string? Types = null)
    {
        public string Text => Path + " " + Phrase;
    }
}
