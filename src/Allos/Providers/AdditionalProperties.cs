using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>Provider-specific request fields passed through <see cref="ChatOptions.AdditionalProperties"/>.</summary>
internal static class AdditionalProperties
{
    private const string AllosPrefix = "allos.";

    /// <summary>
    /// Every entry becomes a top-level request field, serialized as JSON (a <see cref="JsonElement"/> is sent as is).
    /// Entries whose key starts with <c>allos.</c> are skipped. Returns <see langword="null"/> when there are none.
    /// </summary>
    public static Dictionary<string, JsonElement>? ToJson(AdditionalPropertiesDictionary? properties)
    {
        if (properties is not { Count: > 0 })
        {
            return null;
        }

        Dictionary<string, JsonElement>? result = null;
        foreach (KeyValuePair<string, object?> property in properties)
        {
            // allos.* entries are settings for Allos's own layers (Router, provider clients), not request fields.
            if (property.Key.StartsWith(AllosPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            result ??= new Dictionary<string, JsonElement>(properties.Count, StringComparer.Ordinal);
            result[property.Key] = property.Value switch
            {
                JsonElement element => element,
                null => JsonSerializer.SerializeToElement<string?>(null, AIJsonUtilities.DefaultOptions),
                object value => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
            };
        }

        return result;
    }
}
