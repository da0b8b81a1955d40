namespace Allos.Gateway;

/// <summary>
/// Who sent a request to a gateway in front of the Router, recorded with the call in the spend log
/// (<see cref="Storage.ModelCallRecord"/>). Attach it with <see cref="RouterChatOptions.WithCaller(Microsoft.Extensions.AI.ChatOptions, RequestCaller)"/>.
/// </summary>
/// <remarks>Every field is stored in plain text: never put a secret here (the key's SHA-256 hash, not the key).</remarks>
public sealed record RequestCaller
{
    /// <summary>Gets the lowercase hex SHA-256 of the API key the request carried. Default <see langword="null"/>.</summary>
    public string? KeyHash { get; init; }

    /// <summary>Gets the key's alias (<c>key_alias</c>). Default <see langword="null"/>.</summary>
    public string? KeyAlias { get; init; }

    /// <summary>Gets the team the key belongs to (<c>team_id</c>). Default <see langword="null"/>.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the ingress path the request came in on (<c>/v1/chat/completions</c>, <c>/v1/messages</c>, ...). Default <see langword="null"/>.</summary>
    public string? Endpoint { get; init; }
}
