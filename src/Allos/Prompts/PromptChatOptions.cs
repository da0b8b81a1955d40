using System.Globalization;
using Microsoft.Extensions.AI;

namespace Allos.Prompts;

/// <summary>
/// The <see cref="ChatOptions.AdditionalProperties"/> entries that say which prompt a call came from, so the call is
/// recorded (telemetry store, OpenTelemetry) against the prompt's name and version. <see cref="RenderedPrompt.Options"/>
/// carries them; set them yourself with <see cref="WithPrompt"/> when you build messages another way.
/// </summary>
/// <remarks>Allos's clients and the Router remove <c>allos.*</c> entries before a request reaches a provider.</remarks>
public static class PromptChatOptions
{
    /// <summary>The key holding the prompt's name (a string).</summary>
    public const string NameKey = "allos.prompt";

    /// <summary>The key holding the prompt's version (an <see cref="int"/>).</summary>
    public const string VersionKey = "allos.prompt_version";

    /// <summary>Tags <paramref name="options"/> with a prompt's name and version.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithPrompt(this ChatOptions options, string name, int version)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[NameKey] = name;
        options.AdditionalProperties[VersionKey] = version;
        return options;
    }

    /// <summary>Reads the prompt a call came from, if its options say.</summary>
    /// <returns>The name and version, or <see langword="null"/> when the options carry no prompt.</returns>
    public static (string Name, int? Version)? ReadPrompt(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } properties || !properties.TryGetValue(NameKey, out object? name) || name is not string { Length: > 0 } text)
        {
            return null;
        }

        int? version = properties.TryGetValue(VersionKey, out object? value) && value is not null
            && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : null;
        return (text, version);
    }
}
