namespace Allos.Models;

/// <summary>What Allos knows about a model: its limits, its prices and its capabilities.</summary>
/// <remarks>
/// Instances come from <see cref="ModelCatalog"/>, or are created to extend it. A model the catalog does not know is
/// described with conservative defaults and <see cref="IsKnown"/> set to <see langword="false"/>.
/// </remarks>
public sealed record ModelInfo
{
    /// <summary>Initializes a description of the model <paramref name="id"/>.</summary>
    /// <param name="id">The model id, <c>provider/model</c> (<c>anthropic/claude-sonnet-4-5</c>); it is split at the first <c>/</c>.</param>
    /// <param name="contextWindow">The most tokens the model accepts in one call, input and output together.</param>
    /// <param name="maxOutputTokens">The most tokens the model can write in one call.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not of the form <c>provider/model</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token limit is zero or negative.</exception>
    public ModelInfo(string id, int contextWindow, int maxOutputTokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        string trimmed = id.Trim();
        int slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == trimmed.Length - 1)
        {
            throw new ArgumentException($"The model id '{id}' must be written as provider/model, for example openai/gpt-4o.", nameof(id));
        }

        Provider = trimmed[..slash].Trim().ToLowerInvariant();
        Model = trimmed[(slash + 1)..].Trim();
        Id = $"{Provider}/{Model}";
        ContextWindow = contextWindow;
        MaxOutputTokens = maxOutputTokens;
    }

    // An unknown model may have no provider Allos could name; it keeps the id it was asked for.
    private ModelInfo(string id, string provider, string model, int contextWindow, int maxOutputTokens)
    {
        Id = id;
        Provider = provider;
        Model = model;
        ContextWindow = contextWindow;
        MaxOutputTokens = maxOutputTokens;
    }

    /// <summary>Gets the model id, <c>provider/model</c> (or, for an unknown model whose provider cannot be told, the id as asked).</summary>
    public string Id { get; }

    /// <summary>Gets the provider name, lower case (<c>anthropic</c>); empty when an unknown model's provider cannot be told.</summary>
    public string Provider { get; }

    /// <summary>Gets the model name as the provider knows it (<c>claude-sonnet-4-5</c>).</summary>
    public string Model { get; }

    /// <summary>Gets the most tokens the model accepts in one call, input and output together.</summary>
    public int ContextWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    }

    /// <summary>Gets the most tokens the model can write in one call.</summary>
    public int MaxOutputTokens
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    }

    /// <summary>Gets the model's prices, or <see langword="null"/> when they are unknown (its cost is then reported as unknown, never as 0).</summary>
    public ModelPricing? Pricing { get; init; }

    /// <summary>Gets what the model can do. Defaults to <see cref="ModelCapabilities.None"/>.</summary>
    public ModelCapabilities Capabilities
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = ModelCapabilities.None;

    /// <summary>
    /// Gets whether the description comes from a catalog entry. <see langword="false"/> means the limits are conservative
    /// defaults and the capabilities promise nothing.
    /// </summary>
    public bool IsKnown { get; init; } = true;

    /// <summary>Gets other names of the same model at the same provider (<c>gemini-flash-latest</c>), looked up like <see cref="Model"/>.</summary>
    public IReadOnlyList<string> Aliases
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = [];

    internal static ModelInfo Unknown(string id, string provider, string model, ModelPricing? pricing) =>
        new(id, provider, model, ModelCatalog.UnknownContextWindow, ModelCatalog.UnknownMaxOutputTokens)
        {
            IsKnown = false,
            Pricing = pricing,
        };
}
