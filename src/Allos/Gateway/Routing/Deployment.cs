using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>One place a model group can send a request: a model id with its own credentials, endpoint, weight, priority and limits.</summary>
/// <remarks>Immutable once given to a <see cref="Router"/>; the Router keeps health and limit state per deployment.</remarks>
public sealed class Deployment
{
    /// <summary>Initializes a deployment of <paramref name="model"/> (a model id such as <c>openai/gpt-4o-mini</c>).</summary>
    public Deployment(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        Model = model.Trim();
    }

    /// <summary>Gets the model id, <c>provider/model</c> or a bare name the provider registry resolves.</summary>
    public string Model { get; }

    /// <summary>Gets the name used in telemetry, errors and the store. Default: the model id, made unique within its group.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the API key for this deployment. Default: <see langword="null"/> (the provider's environment variable).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Gets the base URL for this deployment. Default: <see langword="null"/> (the provider's default or environment variable).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Gets the API version (Azure OpenAI). Default: <see langword="null"/>.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Gets the Google Cloud project (Vertex AI). Default: <see langword="null"/> (<c>VERTEX_PROJECT</c>, <c>GOOGLE_CLOUD_PROJECT</c>, the credential file's).</summary>
    public string? Project { get; init; }

    /// <summary>Gets the Google Cloud location (Vertex AI). Default: <see langword="null"/> (<c>VERTEX_LOCATION</c>, else <c>us-central1</c>).</summary>
    public string? Location { get; init; }

    /// <summary>Gets the OAuth token endpoint (Vertex AI credentials). Default: <see langword="null"/> (<c>VERTEX_TOKEN_URL</c>, the credential file's <c>token_uri</c>).</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>Gets extra HTTP headers sent with every request to this deployment. Default: none.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets the relative weight for <see cref="RoutingStrategy.WeightedShuffle"/>. Default: 1. Must be positive.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Gets the priority for <see cref="RoutingStrategy.Priority"/>: lower values are tried first. Default: 0 (ties keep list order).</summary>
    public int Priority { get; init; }

    /// <summary>Gets the requests-per-minute limit. Default: <see langword="null"/> (unlimited).</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Gets the tokens-per-minute limit (input estimate plus reserved output, reconciled with reported usage). Default: <see langword="null"/> (unlimited).</summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>Gets free-form tags, recorded with each call. Default: none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the time one attempt on this deployment may take before it counts as a timeout. Default: <see langword="null"/> (the request's timeout, then the provider client's).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets how long this deployment's stream may send nothing, once started, before the attempt fails as a transient timeout. Default: <see langword="null"/> (<see cref="RouterOptions.StreamIdleTimeout"/>, then the client's 5 minutes).</summary>
    public TimeSpan? StreamIdleTimeout { get; init; }

    /// <summary>Gets a ready-made client to call instead of creating one from the provider registry. Default: <see langword="null"/>.</summary>
    /// <remarks>Lets any <see cref="IChatClient"/> (an official SDK adapter, a test double) sit behind the Router.</remarks>
    public IChatClient? Client { get; init; }

    /// <summary>Gets a ready-made embedding generator to call for <see cref="Router.EmbeddingsFor"/> instead of creating one from the provider registry. Default: <see langword="null"/>.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }
}
