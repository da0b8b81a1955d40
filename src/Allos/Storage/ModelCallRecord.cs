namespace Allos.Storage;

/// <summary>One call to a model, for usage and cost accounting.</summary>
public sealed record ModelCallRecord
{
    /// <summary>Gets when the call ended (its answer, or its failure, was known); it started <see cref="LatencyMs"/> earlier.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the session the call was made for, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the run the call was made for, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the provider name (<c>openai</c>, <c>anthropic</c>, ...).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the model name.</summary>
    public required string Model { get; init; }

    /// <summary>Gets how long the call took, in milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Gets the input tokens reported.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens reported.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens reported (part of <see cref="InputTokens"/>).</summary>
    public long? CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens reported (part of <see cref="OutputTokens"/>).</summary>
    public long? ReasoningTokens { get; init; }

    /// <summary>
    /// Gets the call's cost; <see langword="null"/> when unknown (an unknown model), never 0 for unknown. A cache hit
    /// cost nothing: the store keeps 0 for it whatever this says (see <see cref="CacheHit"/>).
    /// </summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the outcome: <c>ok</c>, or an error kind.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Gets the error message of a failed call.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Gets what the caller asked for: the model group (alias) or the plain model id given to the Router.
    /// Default <see langword="null"/> (the call did not go through a Router).
    /// </summary>
    public string? Alias { get; init; }

    /// <summary>Gets the name of the deployment that served the call. Default <see langword="null"/> (no Router, or a cache hit).</summary>
    public string? Deployment { get; init; }

    /// <summary>
    /// Gets the caller's identifier that user budgets count against (see <c>RouterChatOptions.WithUser</c>).
    /// Default <see langword="null"/>.
    /// </summary>
    /// <remarks>An identifier stored in plain text and readable by anyone who can read the file: never put a secret (an API key) here.</remarks>
    public string? UserKey { get; init; }

    /// <summary>
    /// Gets a value indicating whether the response came from the response cache instead of a provider. Default
    /// <see langword="false"/>. A cache hit is stored with cost 0, so it counts as known and free in stats and spend.
    /// </summary>
    public bool CacheHit { get; init; }

    /// <summary>Gets how many attempts after the first the call took before it succeeded or gave up, over every group tried. Default 0.</summary>
    public int Retries { get; init; }

    /// <summary>Gets how many fallback groups were used after the requested one. Default 0.</summary>
    public int Fallbacks { get; init; }

    /// <summary>Gets a value indicating whether the response was streamed. Default <see langword="false"/>.</summary>
    public bool Streaming { get; init; }

    /// <summary>
    /// Gets the time from the start of the call to the first streamed update, in milliseconds. Default
    /// <see langword="null"/> (not streamed, or no update arrived).
    /// </summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>
    /// Gets the name of the prompt template the call came from (<c>PromptChatOptions.NameKey</c> on the request).
    /// Default <see langword="null"/> (the request named no prompt).
    /// </summary>
    public string? PromptName { get; init; }

    /// <summary>Gets the version of the prompt template the call came from. Default <see langword="null"/>.</summary>
    public int? PromptVersion { get; init; }

    /// <summary>
    /// Gets the request's id: the provider's response id when it reported one. Default <see langword="null"/>, and the
    /// SQLite store then writes a generated one, so every stored row has an id.
    /// </summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Gets the lowercase hex SHA-256 of the gateway API key the request carried (<see cref="Gateway.RequestCaller.KeyHash"/>).
    /// Default <see langword="null"/> (no gateway, or no key).
    /// </summary>
    public string? KeyHash { get; init; }

    /// <summary>Gets the alias of the gateway key the request carried. Default <see langword="null"/>.</summary>
    public string? KeyAlias { get; init; }

    /// <summary>Gets the team of the gateway key the request carried. Default <see langword="null"/>.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the gateway path the request came in on (<c>/v1/chat/completions</c>, <c>/v1/messages</c>, ...). Default <see langword="null"/>.</summary>
    public string? Endpoint { get; init; }
}
