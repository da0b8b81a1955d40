using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>Keys of the Gemini data Allos keeps in <c>AdditionalProperties</c>, where Microsoft.Extensions.AI has no field.</summary>
internal static class GeminiProperties
{
    /// <summary>The part's <c>thoughtSignature</c>, on a <see cref="FunctionCallContent"/> or <see cref="TextContent"/>.</summary>
    public const string ThoughtSignature = "gemini.thought_signature";

    /// <summary>
    /// Marks a <see cref="TextReasoningContent"/> that Gemini produced. Only those go back as thought parts: another
    /// provider's reasoning carries a signature Gemini would reject.
    /// </summary>
    public const string Thought = "gemini.thought";

    /// <summary>The <c>functionCall.id</c> Gemini sent; absent when Allos generated the call id.</summary>
    public const string CallId = "gemini.call_id";

    /// <summary>On a response: <c>promptFeedback.blockReason</c> when the prompt was blocked.</summary>
    public const string BlockReason = "gemini.block_reason";

    /// <summary>Reads a string property; after a JSON round trip of the history it is a <see cref="JsonElement"/>.</summary>
    public static string? GetString(AdditionalPropertiesDictionary? properties, string key) =>
        properties?.TryGetValue(key, out object? value) != true ? null
        : value switch
        {
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            _ => null,
        };

    /// <summary>Sets a property, creating the dictionary when needed.</summary>
    public static void Set(AIContent content, string key, object value) =>
        (content.AdditionalProperties ??= [])[key] = value;
}
