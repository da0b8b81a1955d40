using System.Globalization;
using System.Text.RegularExpressions;

namespace Allos.Prompts;

/// <summary>How a prompt is named in code, <c>agents.yaml</c> and the CLI: <c>name</c> (its highest version), <c>name@3</c> or <c>name@label</c>.</summary>
public readonly partial record struct PromptReference
{
    private PromptReference(string name, int? version, string? label)
    {
        Name = name;
        Version = version;
        Label = label;
    }

    /// <summary>Gets the prompt's name.</summary>
    public string Name { get; }

    /// <summary>Gets the version asked for, when the reference gives one.</summary>
    public int? Version { get; }

    /// <summary>Gets the label asked for, when the reference gives one.</summary>
    public string? Label { get; }

    /// <summary>Parses <c>name</c>, <c>name@3</c> or <c>name@label</c>.</summary>
    /// <exception cref="PromptException">The text is not a reference.</exception>
    public static PromptReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int at = trimmed.IndexOf('@', StringComparison.Ordinal);
        string name = at < 0 ? trimmed : trimmed[..at];
        string? tail = at < 0 ? null : trimmed[(at + 1)..];
        if (!IsName(name) || (tail is not null && !(IsVersion(tail) || IsLabel(tail))))
        {
            throw new PromptException($"'{text}' is not a prompt reference; write name, name@3 (a version) or name@production (a label).", file: null);
        }

        return tail is null ? new PromptReference(name, null, null)
            : IsVersion(tail) ? new PromptReference(name, int.Parse(tail, CultureInfo.InvariantCulture), null)
            : new PromptReference(name, null, tail);
    }

    /// <summary>Returns the reference as it is written.</summary>
    public override string ToString() => Version is int version ? $"{Name}@{version}" : Label is { } label ? $"{Name}@{label}" : Name;

    internal static bool IsName(string text) => NamePattern().IsMatch(text);

    /// <summary>Labels start with a letter, so <c>name@3</c> always means a version.</summary>
    internal static bool IsLabel(string text) => LabelPattern().IsMatch(text);

    private static bool IsVersion(string text) => text.Length is > 0 and < 10 && text.All(char.IsAsciiDigit) && text[0] != '0';

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex LabelPattern();
}
