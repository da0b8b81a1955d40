using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Per-request Router settings carried in <see cref="ChatOptions.AdditionalProperties"/>: budget scope, cache opt-in and the caller recorded in the spend log.</summary>
/// <remarks>The Router removes these entries before the request reaches a provider.</remarks>
public static class RouterChatOptions
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key holding the user key (a string) for <see cref="BudgetScope.User"/> budgets.</summary>
    public const string UserKey = "allos.user";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key holding the session id (a string) for <see cref="BudgetScope.Session"/> budgets.</summary>
    public const string SessionKey = "allos.session";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key holding a <see cref="bool"/> that turns the response cache on or off for this request.</summary>
    public const string CacheKey = "allos.cache";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> (or <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>) key holding the <see cref="RequestCaller"/> recorded with the call.</summary>
    public const string CallerKey = "allos.caller";

    /// <summary>Tags <paramref name="options"/> with the user key that <see cref="BudgetScope.User"/> budgets count against.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    /// <remarks>Use an identifier of the caller (a user or team name, a key's id), never a secret: it is stored with each call.</remarks>
    public static ChatOptions WithUser(this ChatOptions options, string userKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userKey);
        return Set(options, UserKey, userKey);
    }

    /// <summary>Tags <paramref name="options"/> with the session id that <see cref="BudgetScope.Session"/> budgets count against.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithSession(this ChatOptions options, string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return Set(options, SessionKey, sessionId);
    }

    /// <summary>Turns the response cache on or off for this request, whatever the group says.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithCache(this ChatOptions options, bool enabled = true) => Set(options, CacheKey, enabled);

    /// <summary>Tags <paramref name="options"/> with who sent the request (key hash, key alias, team, ingress endpoint), recorded in the spend log.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static ChatOptions WithCaller(this ChatOptions options, RequestCaller caller) => Set(options, CallerKey, caller);

    /// <summary>Tags embeddings <paramref name="options"/> with who sent the request, recorded in the spend log.</summary>
    /// <returns>The same <paramref name="options"/>, for chaining.</returns>
    public static EmbeddingGenerationOptions WithCaller(this EmbeddingGenerationOptions options, RequestCaller caller)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caller);
        (options.AdditionalProperties ??= [])[CallerKey] = caller;
        return options;
    }

    /// <summary>Returns the text of the <paramref name="key"/> entry of <paramref name="options"/>, or <see langword="null"/>.</summary>
    internal static string? Read(ChatOptions? options, string key) =>
        options?.AdditionalProperties is { Count: > 0 } properties && properties.TryGetValue(key, out object? value) ? value?.ToString() : null;

    private static ChatOptions Set(ChatOptions options, string key, object value)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(value);
        (options.AdditionalProperties ??= [])[key] = value;
        return options;
    }
}
