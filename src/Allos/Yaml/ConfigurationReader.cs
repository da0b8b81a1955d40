using System.Globalization;
using System.Text.RegularExpressions;
using Allos.Security;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Allos.Yaml;

/// <summary>
/// The one reader of Allos's configuration files (<c>allos.yaml</c>, <c>agents.yaml</c>) and of configuration trees
/// bound from <c>Microsoft.Extensions.Configuration</c>: typed values (durations, money, counts, names) with
/// <c>${VAR}</c> expansion, unknown keys rejected with a did-you-mean, and every error pointing at the line to fix.
/// </summary>
internal sealed partial class ConfigurationReader
{
    private readonly Func<string, string?>? _environment;
    private readonly Func<YamlNode, string> _locate;
    private readonly bool _looseKeys;

    /// <summary>Initializes a reader of a YAML file: errors read <c>source:line: message</c>.</summary>
    /// <param name="source">The file, as errors name it.</param>
    /// <param name="environment">Expands <c>${VAR}</c> in values; <see langword="null"/> keeps values as written (prompts may show such text).</param>
    public ConfigurationReader(string source, Func<string, string?>? environment)
    {
        Source = source;
        _environment = environment;
        _locate = node => $"{source}:{node.Start.Line.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Initializes a reader of a tree that has no lines (one built from <c>IConfiguration</c>): errors name the node's
    /// path, and keys match whatever their case and underscores (<c>DefaultModel</c> is <c>default_model</c>), as
    /// configuration keys do in JSON and environment variables.
    /// </summary>
    public ConfigurationReader(string source, Func<string, string?> environment, Func<YamlNode, string> locate)
    {
        Source = source;
        _environment = environment;
        _locate = locate;
        _looseKeys = true;
    }

    /// <summary>Gets the name of what is read (a file path), as errors give it.</summary>
    public string Source { get; }

    /// <summary>Parses YAML text; YamlDotNet's own errors (syntax, a key given twice) become a <see cref="ConfigurationException"/> with the line.</summary>
    /// <returns>The root node, or <see langword="null"/> when the text holds no document or an empty one.</returns>
    public static YamlNode? Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            // YamlDotNet's own words for a repeated key do not say what to do about it.
            string message = ex.Message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"'{ex.Message["Duplicate key ".Length..]}' appears twice in the same mapping (an alias or setting defined twice); keep one."
                : ex.Message;
            throw new ConfigurationException($"{source}:{ex.Start.Line.ToString(CultureInfo.InvariantCulture)}: {message}");
        }

        return stream.Documents.Count == 0 || IsEmpty(stream.Documents[0].RootNode) ? null : stream.Documents[0].RootNode;
    }

    public ConfigurationException Error(YamlNode node, string message, string? variableName = null) =>
        new($"{_locate(node)}: {message}", variableName);

    public YamlNode? Get(YamlMappingNode node, string key)
    {
        if (!_looseKeys)
        {
            return node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) && !IsEmpty(value) ? value : null;
        }

        foreach (KeyValuePair<YamlNode, YamlNode> entry in node)
        {
            if (SameKey(KeyOf(entry), key))
            {
                return IsEmpty(entry.Value) ? null : entry.Value;
            }
        }

        return null;
    }

    /// <summary>An empty value (<c>key:</c> with nothing after it) counts as absent.</summary>
    public static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain or ScalarStyle.Any };

    public static string KeyOf(KeyValuePair<YamlNode, YamlNode> entry) => (entry.Key as YamlScalarNode)?.Value ?? "";

    /// <summary>
    /// Rejects keys not in <paramref name="allowed"/>: a misspelt setting would otherwise be silently ignored (a typo in
    /// <c>autonomy</c> would turn approvals off). The error suggests the nearest valid key.
    /// </summary>
    public void CheckKeys(YamlMappingNode node, string where, IReadOnlyCollection<string> allowed)
    {
        foreach (KeyValuePair<YamlNode, YamlNode> entry in node)
        {
            string key = KeyOf(entry);
            if (!allowed.Any(candidate => SameKey(key, candidate)))
            {
                string hint = KeySuggestion.Nearest(key, allowed) is { } near ? $"; did you mean '{near}'? Valid" : "; valid";
                throw Error(entry.Key, $"unknown key '{key}' in {where}{hint} keys: {string.Join(", ", allowed)}.");
            }
        }
    }

    private bool SameKey(string key, string candidate) =>
        _looseKeys ? string.Equals(key.Replace("_", "", StringComparison.Ordinal), candidate.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)
            : string.Equals(key, candidate, StringComparison.Ordinal);

    public YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping (key: value lines or {{ key: value }}).");

    /// <summary>A scalar's text with <c>${VAR}</c> replaced from the environment.</summary>
    public string String(YamlNode node, string what)
    {
        if (node is not YamlScalarNode { Value: { } value })
        {
            throw Error(node, $"{what} must be a single value, not a list or mapping.");
        }

        return Expand(node, value);
    }

    public string? String(YamlMappingNode parent, string key) => Get(parent, key) is { } node ? String(node, key) : null;

    public IReadOnlyList<string> Names(YamlMappingNode parent, string key)
    {
        switch (Get(parent, key))
        {
            case null:
                return [];
            case YamlSequenceNode sequence:
                return [.. sequence.Select(item => String(item, $"each entry of {key}"))];
            case YamlScalarNode scalar:
                return String(scalar, key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            case YamlNode other:
                throw Error(other, $"{key} must be a list of names, such as [a, b].");
        }
    }

    public bool? Boolean(YamlMappingNode parent, string key)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        return String(node, key).ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            string text => throw Error(node, $"{key} must be true or false, not '{text}'."),
        };
    }

    public int? Integer(YamlMappingNode parent, string key, int minimum)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw Error(node, $"{key} must be a whole number, not '{text}'.");
        }

        return value >= minimum ? value : throw Error(node, $"{key} must be {minimum} or more, not {value}.");
    }

    public long? Bytes(YamlMappingNode parent, string key)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key).Trim();
        (string number, long unit) = Suffix(text.ToUpperInvariant()) switch
        {
            "KB" => (text[..^2], 1024L),
            "MB" => (text[..^2], 1024L * 1024),
            "GB" => (text[..^2], 1024L * 1024 * 1024),
            _ => (text, 1L),
        };

        if (!decimal.TryParse(number.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal value))
        {
            throw Error(node, $"{key} must be a size such as 67108864, 512KB or 64MB, not '{text}'.");
        }

        return value > 0 ? (long)(value * unit) : throw Error(node, $"{key} must be more than 0, not '{text}'.");

        static string Suffix(string s) => s.Length > 2 ? s[^2..] : "";
    }

    public double? Number(YamlMappingNode parent, string key)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw Error(node, $"{key} must be a number, not '{text}'.");
    }

    /// <summary>US dollars: a decimal number, optionally with a leading <c>$</c>.</summary>
    public decimal? Money(YamlMappingNode parent, string key)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key).Trim();
        string digits = text.StartsWith('$') ? text[1..] : text;
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out decimal value))
        {
            throw Error(node, $"{key} must be an amount in US dollars such as 5 or $2.50, not '{text}'.");
        }

        return value >= 0 ? value : throw Error(node, $"{key} must not be negative, not {text}.");
    }

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>, or a bare number of seconds.</summary>
    public TimeSpan? Duration(YamlMappingNode parent, string key, bool allowZero = true)
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key).Trim();
        if (!TryParseDuration(text, out TimeSpan value))
        {
            throw Error(node, $"{key} must be a duration such as 500ms, 30s, 2m, 1h, 1d or a number of seconds, not '{text}'.");
        }

        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            throw Error(node, $"{key} must be {(allowZero ? "0 or more" : "more than 0")}, not '{text}'.");
        }

        return value;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        int split = text.Length;
        while (split > 0 && char.IsAsciiLetter(text[split - 1]))
        {
            split--;
        }

        double scale = text[split..].ToLowerInvariant() switch
        {
            "ms" => 1,
            "s" or "" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => double.NaN,
        };

        if (double.IsNaN(scale) ||
            !double.TryParse(text[..split].Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double number))
        {
            return false;
        }

        double milliseconds = number * scale;
        if (!double.IsFinite(milliseconds) || Math.Abs(milliseconds) > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>One of <paramref name="choices"/> by name; <c>-</c> and <c>_</c> are the same and case does not matter.</summary>
    public T? Choice<T>(YamlMappingNode parent, string key, IReadOnlyDictionary<string, T> choices, string? what = null)
        where T : struct
    {
        if (Get(parent, key) is not { } node)
        {
            return null;
        }

        string text = String(node, key).Trim();
        return choices.TryGetValue(text.Replace('-', '_').ToLowerInvariant(), out T value)
            ? value
            : throw Error(node, $"unknown {what ?? key} '{text}'; valid values: {string.Join(", ", choices.Keys)}.");
    }

    private string Expand(YamlNode node, string value)
    {
        if (_environment is null || !value.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }

        return VariablePattern().Replace(value, match =>
        {
            string name = match.Groups[1].Value;
            if (_environment(name) is { Length: > 0 } found)
            {
                if (SecretRedactor.IsSecretName(name))
                {
                    SecretRedactor.Register(name, found);
                }

                return found;
            }

            throw Error(node, $"environment variable {name} is not set; set it or change this value.", name);
        });
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
