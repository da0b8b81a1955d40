using System.Diagnostics;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>One call through the Router: what was asked, its per-request settings, and the attempt in progress.</summary>
internal sealed class RouteRequest
{
    private long _inputTokens = -1;

    public RouteRequest(RouteGroup group, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, long start)
    {
        Group = group;
        Messages = messages;
        Streaming = streaming;
        Start = start;
        Forwarded = options;
        if (options is null)
        {
            return;
        }

        Prompt = PromptChatOptions.ReadPrompt(options);
        AdditionalPropertiesDictionary? properties = options.AdditionalProperties;
        bool hasRouterKeys = false;
        if (properties is { Count: > 0 })
        {
            UserKey = properties.TryGetValue(RouterChatOptions.UserKey, out object? user) ? user?.ToString() : null;
            SessionId = properties.TryGetValue(RouterChatOptions.SessionKey, out object? session) ? session?.ToString() : null;
            CacheRequested = properties.TryGetValue(RouterChatOptions.CacheKey, out object? cache) ? AsBool(cache) : null;
            Caller = properties.TryGetValue(RouterChatOptions.CallerKey, out object? caller) ? caller as RequestCaller : null;
            hasRouterKeys = UserKey is not null || SessionId is not null || CacheRequested is not null || properties.ContainsKey(RouterChatOptions.CallerKey);
        }

        // The alias is the Router's business; providers get their own model, and none of the allos.* keys.
        if (options.ModelId is not null || hasRouterKeys)
        {
            ChatOptions forwarded = options.Clone();
            forwarded.ModelId = null;
            if (hasRouterKeys)
            {
                forwarded.AdditionalProperties!.Remove(RouterChatOptions.UserKey);
                forwarded.AdditionalProperties.Remove(RouterChatOptions.SessionKey);
                forwarded.AdditionalProperties.Remove(RouterChatOptions.CacheKey);
                forwarded.AdditionalProperties.Remove(RouterChatOptions.CallerKey);
                if (forwarded.AdditionalProperties.Count == 0)
                {
                    forwarded.AdditionalProperties = null;
                }
            }

            Forwarded = forwarded;
        }
    }

    public RouteGroup Group { get; }

    /// <summary>Gets the texts of an embeddings request (<see cref="Router.EmbeddingsFor"/>), or <see langword="null"/> for chat.</summary>
    public IReadOnlyList<string>? EmbeddingInputs { get; init; }

    /// <summary>Gets the options sent to an embeddings deployment: the caller's, without the alias.</summary>
    public EmbeddingGenerationOptions? EmbeddingOptions { get; init; }

    public string Alias => Group.Alias;

    public IEnumerable<ChatMessage> Messages { get; }

    /// <summary>Gets the options sent to deployments: the caller's, without the alias and the Router's own keys.</summary>
    public ChatOptions? Forwarded { get; }

    public bool Streaming { get; }

    /// <summary>Gets the timestamp (<see cref="TimeProvider.GetTimestamp"/>) the call started.</summary>
    public long Start { get; }

    public string? UserKey { get; init; }

    public string? SessionId { get; }

    /// <summary>Gets who sent the request through a gateway (<see cref="RouterChatOptions.CallerKey"/>), recorded with the call.</summary>
    public RequestCaller? Caller { get; init; }

    /// <summary>Gets or sets the provider's id of the answer, recorded as the call's request id.</summary>
    public string? ResponseId { get; set; }

    /// <summary>Gets the prompt template the request came from (<see cref="PromptChatOptions"/>), recorded with the call.</summary>
    public (string Name, int? Version)? Prompt { get; }

    /// <summary>Gets the request's own cache setting, or <see langword="null"/> to follow the group.</summary>
    public bool? CacheRequested { get; }

    public string? CacheKey { get; set; }

    public Activity? Activity { get; set; }

    public int Retries { get; set; }

    public int Fallbacks { get; set; }

    // The attempt in progress (one at a time per request).
    public DeploymentState? Deployment { get; set; }

    /// <summary>Gets or sets the deployment of the last attempt that failed, for the record when the whole request fails.</summary>
    public DeploymentState? LastDeployment { get; set; }

    public bool Probe { get; set; }

    public BudgetHold Hold { get; set; }

    public RateLimitTicket Ticket { get; set; }

    public long AttemptStart { get; set; }

    /// <summary>Gets or sets the attempt's timeout source, kept alive with a stream that outlives the attempt.</summary>
    public TimeoutScope? AttemptSource { get; set; }

    /// <summary>Gets the estimated input tokens, computed once on first use (budgets, TPM limits and the cost strategy need it).</summary>
    public long InputTokens
    {
        get
        {
            if (_inputTokens < 0)
            {
                _inputTokens = InputTokenEstimate.Of(Messages, Forwarded);
            }

            return _inputTokens;
        }
    }

    /// <summary>Returns the most output this request may produce on <paramref name="deployment"/>.</summary>
    public long OutputAllowance(DeploymentState deployment) =>
        EmbeddingInputs is not null ? 0 : Forwarded?.MaxOutputTokens ?? deployment.Info.MaxOutputTokens; // embeddings write no tokens

    /// <summary>Returns the tokens this request may use on <paramref name="deployment"/>, what TPM limits reserve.</summary>
    public long TokenAllowance(DeploymentState deployment) => InputTokens + OutputAllowance(deployment);

    /// <summary>Returns the most this request could cost on <paramref name="deployment"/>, or <see langword="null"/> when its price is unknown.</summary>
    public decimal? MaximumCost(DeploymentState deployment) =>
        deployment.Info.Pricing is { } price
            ? ((InputTokens * price.Input) + (OutputAllowance(deployment) * price.Output)) / 1_000_000m
            : null;

    private static bool? AsBool(object? value) => value switch
    {
        bool flag => flag,
        string text when bool.TryParse(text, out bool parsed) => parsed,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True } => true,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.False } => false,
        _ => null,
    };
}
