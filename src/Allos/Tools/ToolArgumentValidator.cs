using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Allos.Tools;

/// <summary>
/// Checks a tool call's arguments against the tool's JSON schema and says, in words a model can act on, what is wrong
/// (<c>$.path is required</c>, <c>$.limit must be an integer</c>, <c>$.mode must be one of "a", "b"</c>).
/// </summary>
/// <remarks>
/// A deliberately small subset of JSON Schema, the part tool schemas use: <c>type</c> (also as an array, and
/// <c>nullable</c>), <c>required</c>, <c>properties</c>, <c>additionalProperties</c>, <c>enum</c>, <c>const</c>, numeric
/// bounds, string lengths, <c>pattern</c>, item counts, <c>items</c>, <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c> (one valid
/// branch suffices) and local <c>$ref</c>s. Unknown keywords are ignored, so an unusual schema errs on the side of letting
/// the call through to the handler, which still has to cope with its input. Thread-safe.
/// </remarks>
internal static class ToolArgumentValidator
{
    /// <summary>Past this many errors the model has enough to fix its call; the rest would only bloat the result.</summary>
    private const int MaxErrors = 20;

    /// <summary>How deep <c>$ref</c>s may nest before a (probably recursive) schema is no longer followed.</summary>
    private const int MaxRefDepth = 32;

    /// <summary>A hostile or careless pattern must not hang the run.</summary>
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Validates <paramref name="arguments"/> against <paramref name="schema"/>.</summary>
    /// <returns>The errors, each starting with the JSON path of the offending value; empty when the arguments are valid.</returns>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement arguments)
    {
        var errors = new List<string>();
        new Walker(schema, errors).Check(schema, arguments, "$", refDepth: 0);
        return errors;
    }

    private readonly struct Walker(JsonElement root, List<string> errors)
    {
        public bool Full => errors.Count >= MaxErrors;

        public void Check(JsonElement schema, JsonElement value, string path, int refDepth)
        {
            if (Full)
            {
                return;
            }

            switch (schema.ValueKind)
            {
                case JsonValueKind.False:
                    Report($"{path} is not allowed");
                    return;
                case not JsonValueKind.Object:
                    return; // true, or not a schema at all: nothing to check.
            }

            if (value.ValueKind == JsonValueKind.Null && schema.TryGetProperty("nullable", out JsonElement nullable)
                && nullable.ValueKind == JsonValueKind.True)
            {
                return;
            }

            // Past the depth limit a recursive schema is simply not followed further: lenient, but never endless.
            if (schema.TryGetProperty("$ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String
                && refDepth < MaxRefDepth && Resolve(reference.GetString()!) is { } target)
            {
                Check(target, value, path, refDepth + 1);
            }

            if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(type, value))
            {
                // One clear error per value: the other keywords would only repeat it in other words.
                Report($"{path} must be {DescribeType(type, schema)}");
                return;
            }

            if (schema.TryGetProperty("enum", out JsonElement options) && options.ValueKind == JsonValueKind.Array
                && !options.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
            {
                Report($"{path} must be one of {string.Join(", ", options.EnumerateArray().Select(Compact))}");
            }

            if (schema.TryGetProperty("const", out JsonElement constant) && !JsonElement.DeepEquals(constant, value))
            {
                Report($"{path} must be {Compact(constant)}");
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    CheckNumber(schema, value.GetDouble(), path);
                    break;
                case JsonValueKind.String:
                    CheckString(schema, value.GetString()!, path);
                    break;
                case JsonValueKind.Array:
                    CheckArray(schema, value, path, refDepth);
                    break;
                case JsonValueKind.Object:
                    CheckObject(schema, value, path, refDepth);
                    break;
            }

            if (schema.TryGetProperty("allOf", out JsonElement allOf) && allOf.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement branch in allOf.EnumerateArray())
                {
                    Check(branch, value, path, refDepth);
                }
            }

            CheckAlternatives(schema, "anyOf", value, path, refDepth);

            // Strictly, oneOf wants exactly one match; tool schemas use it as anyOf, and rejecting a call because two
            // branches fit would only confuse the model.
            CheckAlternatives(schema, "oneOf", value, path, refDepth);
        }

        private void CheckNumber(JsonElement schema, double number, string path)
        {
            if (Bound(schema, "minimum") is { } minimum)
            {
                bool exclusive = schema.TryGetProperty("exclusiveMinimum", out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
                if (exclusive ? number <= minimum.Value : number < minimum.Value)
                {
                    Report($"{path} must be {(exclusive ? ">" : ">=")} {minimum.Text}");
                }
            }

            if (Bound(schema, "maximum") is { } maximum)
            {
                bool exclusive = schema.TryGetProperty("exclusiveMaximum", out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
                if (exclusive ? number >= maximum.Value : number > maximum.Value)
                {
                    Report($"{path} must be {(exclusive ? "<" : "<=")} {maximum.Text}");
                }
            }

            // Draft 6 and later: the exclusive bounds are numbers of their own.
            if (Bound(schema, "exclusiveMinimum") is { } exclusiveMinimum && number <= exclusiveMinimum.Value)
            {
                Report($"{path} must be > {exclusiveMinimum.Text}");
            }

            if (Bound(schema, "exclusiveMaximum") is { } exclusiveMaximum && number >= exclusiveMaximum.Value)
            {
                Report($"{path} must be < {exclusiveMaximum.Text}");
            }
        }

        private void CheckString(JsonElement schema, string text, string path)
        {
            // JSON Schema counts code points, not UTF-16 units, so an emoji is one character.
            int length = text.EnumerateRunes().Count();
            if (Count(schema, "minLength") is { } minLength && length < minLength)
            {
                Report($"{path} must be at least {minLength} character{Plural(minLength)} long");
            }

            if (Count(schema, "maxLength") is { } maxLength && length > maxLength)
            {
                Report($"{path} must be at most {maxLength} character{Plural(maxLength)} long");
            }

            if (schema.TryGetProperty("pattern", out JsonElement pattern) && pattern.ValueKind == JsonValueKind.String)
            {
                string regex = pattern.GetString()!;
                try
                {
                    if (!Regex.IsMatch(text, regex, RegexOptions.None, PatternTimeout))
                    {
                        Report($"{path} must match the pattern {Compact(pattern)}");
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    Report($"{path} could not be checked against the pattern {Compact(pattern)} in time; send a shorter or simpler value");
                }
                catch (ArgumentException)
                {
                    // The schema's pattern is not a .NET regex: that is the tool author's problem, not the model's.
                }
            }
        }

        private void CheckArray(JsonElement schema, JsonElement array, string path, int refDepth)
        {
            int length = array.GetArrayLength();
            if (Count(schema, "minItems") is { } minItems && length < minItems)
            {
                Report($"{path} must have at least {minItems} item{Plural(minItems)}");
            }

            if (Count(schema, "maxItems") is { } maxItems && length > maxItems)
            {
                Report($"{path} must have at most {maxItems} item{Plural(maxItems)}");
            }

            if (!schema.TryGetProperty("items", out JsonElement items))
            {
                return;
            }

            int index = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                // An array of schemas is the older tuple form: one schema per position, extra items unchecked.
                JsonElement itemSchema = items.ValueKind == JsonValueKind.Array
                    ? index < items.GetArrayLength() ? items[index] : default
                    : items;
                Check(itemSchema, item, $"{path}[{index}]", refDepth);
                index++;
            }
        }

        private void CheckObject(JsonElement schema, JsonElement obj, string path, int refDepth)
        {
            if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement name in required.EnumerateArray())
                {
                    if (name.ValueKind == JsonValueKind.String && !obj.TryGetProperty(name.GetString()!, out _))
                    {
                        Report($"{Child(path, name.GetString()!)} is required");
                    }
                }
            }

            bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object;
            bool hasAdditional = schema.TryGetProperty("additionalProperties", out JsonElement additional);
            foreach (JsonProperty property in obj.EnumerateObject())
            {
                string childPath = Child(path, property.Name);
                if (hasProperties && properties.TryGetProperty(property.Name, out JsonElement propertySchema))
                {
                    Check(propertySchema, property.Value, childPath, refDepth);
                }
                else if (hasAdditional)
                {
                    Check(additional, property.Value, childPath, refDepth); // false reports "is not allowed".
                }
            }
        }

        private void CheckAlternatives(JsonElement schema, string keyword, JsonElement value, string path, int refDepth)
        {
            if (!schema.TryGetProperty(keyword, out JsonElement branches) || branches.ValueKind != JsonValueKind.Array
                || branches.GetArrayLength() == 0)
            {
                return;
            }

            var failures = new List<List<string>>();
            foreach (JsonElement branch in branches.EnumerateArray())
            {
                var branchErrors = new List<string>();
                new Walker(root, branchErrors).Check(branch, value, path, refDepth);
                if (branchErrors.Count == 0)
                {
                    return;
                }

                failures.Add(branchErrors);
            }

            // Every branch failed. When each only disagreed on the type, say which types would do; otherwise give the
            // first complaint of each branch, which is usually enough for the model to pick one and fix it.
            string typePrefix = path + " must be ";
            if (failures.All(f => f.Count == 1 && f[0].StartsWith(typePrefix, StringComparison.Ordinal) && IsTypePhrase(f[0][typePrefix.Length..])))
            {
                IEnumerable<string> types = failures.SelectMany(f => f[0][typePrefix.Length..].Split([", ", " or "], StringSplitOptions.None)).Distinct();
                Report($"{path} must be {JoinOr([.. types])}");
                return;
            }

            Report($"{path} does not match any of the allowed forms: {string.Join("; or ", failures.Select(f => f[0]))}");
        }

        private JsonElement? Resolve(string reference)
        {
            // Only local references (#/$defs/x, #/definitions/x, or any JSON pointer into this schema) can be followed.
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith("#/", StringComparison.Ordinal))
            {
                return null;
            }

            JsonElement current = root;
            foreach (string raw in reference[2..].Split('/'))
            {
                string segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out JsonElement next))
                {
                    current = next;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    && index < current.GetArrayLength())
                {
                    current = current[index];
                }
                else
                {
                    return null;
                }
            }

            return current;
        }

        private void Report(string error)
        {
            if (!Full)
            {
                errors.Add(error);
            }
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesType(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String || MatchesType(t.GetString()!, value)),
        _ => true,
    };

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true, // An unknown type name says nothing we can check.
    };

    /// <summary>A number with no fractional part: 3, 3.0 and 3e2 are integers; 3.5 is not.</summary>
    private static bool IsInteger(JsonElement number)
    {
        if (number.TryGetDecimal(out decimal exact))
        {
            return exact == decimal.Truncate(exact);
        }

        double value = number.GetDouble(); // Beyond decimal's range every finite double is whole.
        return double.IsFinite(value) && value == Math.Floor(value);
    }

    private static string DescribeType(JsonElement type, JsonElement schema)
    {
        List<string> names = type.ValueKind == JsonValueKind.Array
            ? [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
            : [type.GetString()!];
        if (schema.TryGetProperty("nullable", out JsonElement nullable) && nullable.ValueKind == JsonValueKind.True && !names.Contains("null"))
        {
            names.Add("null");
        }

        return JoinOr([.. names.Select(TypePhrase)]);
    }

    private static string TypePhrase(string type) => type switch
    {
        "string" => "a string",
        "number" => "a number",
        "integer" => "an integer",
        "boolean" => "a boolean",
        "object" => "an object",
        "array" => "an array",
        "null" => "null",
        _ => type,
    };

    private static readonly HashSet<string> TypePhrases = ["a string", "a number", "an integer", "a boolean", "an object", "an array", "null"];

    private static bool IsTypePhrase(string text) => text.Split([", ", " or "], StringSplitOptions.None).All(TypePhrases.Contains);

    private static string JoinOr(IReadOnlyList<string> parts) => parts.Count switch
    {
        0 => "",
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " or " + parts[^1],
    };

    private static (double Value, string Text)? Bound(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out JsonElement bound) && bound.ValueKind == JsonValueKind.Number
            ? (bound.GetDouble(), bound.GetRawText())
            : null;

    private static long? Count(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out JsonElement count) && count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out long n)
            ? n
            : null;

    private static string Plural(long count) => count == 1 ? "" : "s";

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

    private static string Compact(JsonElement element)
    {
        // GetRawText keeps the schema author's whitespace; messages read better compact.
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
