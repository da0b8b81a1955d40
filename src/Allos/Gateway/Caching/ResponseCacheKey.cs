using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>
/// Computes the exact-match cache key of a request: <see cref="AIJsonUtilities.HashDataToString"/> over a version, the
/// alias, the messages and the options, serialized with <see cref="AIJsonUtilities.DefaultOptions"/>.
/// </summary>
/// <remarks>
/// <para>
/// Microsoft.Extensions.AI's own serialization writes every content type it defines (approvals, MCP calls, errors...)
/// with all its fields, including the contents' <see cref="AIContent.AdditionalProperties"/>, which providers read back
/// (Gemini thought signatures, image detail). Object keys are sorted before hashing, so argument and schema key order
/// do not matter.
/// </para>
/// <para>
/// Left out: <see cref="ChatOptions.ModelId"/> (the alias stands for it, whichever deployment answers),
/// <see cref="ChatOptions.ConversationId"/>, the <c>allos.</c> option entries (per-request Router settings, see
/// <see cref="RouterChatOptions"/>), message ids, timestamps and messages' additional properties (Allos bookkeeping such
/// as summary markers), and raw representations. Streaming and non-streaming requests share a key: a cached answer is
/// replayed either way.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
internal static class ResponseCacheKey
{
    // Bumped whenever what goes into the key changes, so old persistent entries stop matching instead of matching wrongly.
    private const string FormatVersion = "2";

    private const string RouterPropertyPrefix = "allos.";

    private static readonly JsonTypeInfo ObjectType = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object));

    private static readonly JsonTypeInfo ElementType = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonElement));

    /// <summary>Returns the key of a request for <paramref name="alias"/>, or <see langword="null"/> if it cannot be keyed.</summary>
    /// <param name="alias">The alias or model id the request names.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, or <see langword="null"/> (the same key as empty options).</param>
    /// <returns>
    /// The key, or <see langword="null"/> when part of the request has no JSON form (a custom <see cref="AIContent"/> not
    /// registered with <see cref="AIJsonUtilities.DefaultOptions"/>, a tool result of a type without metadata): such a
    /// request is not cached, since a key that ignored that part could serve one request the answer to another.
    /// </returns>
    public static string? Compute(string alias, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(alias);
        ArgumentNullException.ThrowIfNull(messages);

        List<ChatMessage> keyed = [];
        foreach (ChatMessage message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));

            // Only what reaches a provider; the contents list is shared, not copied.
            keyed.Add(new ChatMessage(message.Role, message.Contents) { AuthorName = message.AuthorName });
        }

        try
        {
            return AIJsonUtilities.HashDataToString([FormatVersion, alias, keyed.ToArray(), KeyedOptions(options), KeyedTools(options?.Tools)]);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static ChatOptions KeyedOptions(ChatOptions? options)
    {
        if (options is null)
        {
            return new ChatOptions();
        }

        ChatOptions keyed = options.Clone();
        keyed.ModelId = null;
        keyed.ConversationId = null;
        keyed.RawRepresentationFactory = null;
        keyed.Tools = null;
        if (keyed.AdditionalProperties is { } properties)
        {
            foreach (string key in properties.Keys.Where(key => key.StartsWith(RouterPropertyPrefix, StringComparison.Ordinal)).ToList())
            {
                properties.Remove(key);
            }

            // Only router settings means the same request as none at all.
            if (properties.Count == 0)
            {
                keyed.AdditionalProperties = null;
            }
        }

        return keyed;
    }

    private static JsonArray? KeyedTools(IList<AITool>? tools)
    {
        // AITool has no JSON form of its own, so each is written as what a provider is told about it.
        if (tools is null)
        {
            return null;
        }

        var keyed = new JsonArray();
        foreach (AITool tool in tools)
        {
            var entry = new JsonObject
            {
                ["type"] = tool.GetType().FullName,
                ["name"] = tool.Name,
                ["description"] = tool.Description,
            };
            if (tool is AIFunctionDeclaration function)
            {
                entry["schema"] = JsonSerializer.SerializeToNode(function.JsonSchema, ElementType);
            }

            if (tool.AdditionalProperties is { Count: > 0 } properties)
            {
                entry["additional"] = JsonSerializer.SerializeToNode(properties, ObjectType);
            }

            keyed.Add(entry);
        }

        return keyed;
    }
}
