using System.Text.Json;
using Allos.Providers;

namespace Allos.Models;

/// <summary>Context windows, output limits, prices and capabilities of models, looked up by model id.</summary>
/// <remarks>
/// <para>
/// <see cref="Default"/> holds the catalog embedded in Allos (the current major models of each provider, with the date
/// of its prices). Extend or override it with <see cref="Add"/> (which changes the catalog in place) or
/// <see cref="With"/> (which returns a new catalog), for example
/// <c>ModelCatalog.Default.With(ModelCatalog.LoadJson(File.ReadAllText("models.json")).Models)</c>: an entry
/// replaces the one with the same id.
/// </para>
/// <para>
/// Lookup rules, in order: the exact id (or an alias); the id resolved as <see cref="ProviderRegistry.Resolve"/> does
/// (bare names such as <c>gpt-4o</c> or <c>claude-sonnet-4-5</c>); a dated snapshot or a <c>-latest</c>,
/// <c>-preview</c> or <c>-exp</c> suffix of a listed model, resolved to the longest listed prefix
/// (<c>openai/gpt-4o-2024-08-06</c> is <c>openai/gpt-4o</c>, while <c>gpt-5-pro</c> is not <c>gpt-5</c>, since
/// <c>-pro</c> names another model at another price); for a host of other providers' models such as OpenRouter, the inner
/// id (<c>openrouter/anthropic/claude-sonnet-4.5</c> is priced as <c>anthropic/claude-sonnet-4-5</c>); finally, for a
/// bare name no provider prefix gives away (<c>deepseek-chat</c>), the one listed model of that name.
/// </para>
/// <para>
/// Models served locally (<see cref="LocalProviders"/>: <c>ollama</c>, <c>lmstudio</c>, <c>vllm</c>) are not listed,
/// since their limits depend on the machine; <see cref="Get"/> gives them the unknown-model limits and a price of 0.
/// </para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class ModelCatalog
{
    /// <summary>The context window assumed for a model the catalog does not know.</summary>
    /// <remarks>Small on purpose: a context policy that believes the window is smaller than it is trims early, while one that believes it larger overflows.</remarks>
    public const int UnknownContextWindow = 16_384;

    /// <summary>The output limit assumed for a model the catalog does not know.</summary>
    public const int UnknownMaxOutputTokens = 4_096;

    private const string ResourceName = "Allos.Models.catalog.json";

    private static readonly Lazy<ModelCatalog> LazyDefault = new(LoadEmbedded);

    // Hosts that sell other providers' models under "vendor/model" names; their vendor names map to Allos provider names.
    private static readonly Dictionary<string, string> VendorNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["google"] = "gemini",
        ["x-ai"] = "xai",
        ["mistralai"] = "mistral",
    };

    private static readonly HashSet<string> SnapshotWords = new(StringComparer.OrdinalIgnoreCase) { "latest", "preview", "exp" };

    private readonly Lock _gate = new();
    private readonly ProviderRegistry _registry;
    private volatile Snapshot _snapshot;

    /// <summary>Initializes an empty catalog.</summary>
    public ModelCatalog()
        : this([])
    {
    }

    /// <summary>Initializes a catalog holding <paramref name="models"/>; of two entries with the same id, the later wins.</summary>
    public ModelCatalog(IEnumerable<ModelInfo> models)
        : this(models, ProviderRegistry.Default)
    {
    }

    internal ModelCatalog(IEnumerable<ModelInfo> models, ProviderRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        var entries = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelInfo model in models)
        {
            ArgumentNullException.ThrowIfNull(model);
            entries[model.Id] = Validate(model);
        }

        _snapshot = new Snapshot(entries);
    }

    /// <summary>Gets the catalog embedded in Allos, loaded on first use. <see cref="Add"/> on it changes it for the whole process.</summary>
    public static ModelCatalog Default => LazyDefault.Value;

    /// <summary>Gets the providers whose models run locally and cost nothing: <c>ollama</c>, <c>lmstudio</c> and <c>vllm</c>.</summary>
    public static IReadOnlySet<string> LocalProviders { get; } =
        new HashSet<string>(["ollama", "lmstudio", "vllm"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the date the embedded prices were taken from the providers' pricing pages (<c>yyyy-MM-dd</c>); <see langword="null"/> for a catalog not loaded from a file that says.</summary>
    public string? PricesAsOf { get; private init; }

    /// <summary>Gets the listed models, sorted by id.</summary>
    public IReadOnlyList<ModelInfo> Models => [.. _snapshot.Entries.Values.OrderBy(model => model.Id, StringComparer.Ordinal)];

    /// <summary>Parses a catalog in the JSON shape of the embedded <c>catalog.json</c>.</summary>
    /// <exception cref="ConfigurationException">The JSON is malformed, or an entry is invalid (the message says which and why).</exception>
    public static ModelCatalog LoadJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromJson(json, "the model catalog JSON");
    }

    /// <summary>Returns the listed model <paramref name="modelId"/>, or <see langword="null"/> when the catalog does not list it.</summary>
    /// <param name="modelId">A model id: <c>provider/model</c>, a bare name such as <c>gpt-4o</c>, a dated snapshot, or a host's <c>openrouter/vendor/model</c>.</param>
    public ModelInfo? Find(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        string id = modelId.Trim();
        if (id.Length == 0)
        {
            return null;
        }

        Snapshot snapshot = _snapshot;
        if (snapshot.Lookup(id) is ModelInfo exact)
        {
            return exact;
        }

        ModelReference? reference = TryResolve(id);
        if (reference is { } resolved)
        {
            return snapshot.Find(resolved.Provider, resolved.Model) ?? FindInner(snapshot, resolved.Model);
        }

        return id.Contains('/', StringComparison.Ordinal) ? null : snapshot.FindUniqueByModel(id);
    }

    /// <summary>
    /// Returns the model <paramref name="modelId"/>: its catalog entry, or, for a model the catalog does not list,
    /// conservative defaults (<see cref="UnknownContextWindow"/>, <see cref="UnknownMaxOutputTokens"/>, no capabilities)
    /// with <see cref="ModelInfo.IsKnown"/> <see langword="false"/> and an unknown price (0 for <see cref="LocalProviders"/>).
    /// </summary>
    public ModelInfo Get(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        if (Find(modelId) is ModelInfo known)
        {
            return known.Pricing is null && LocalProviders.Contains(known.Provider) ? known with { Pricing = ModelPricing.Free } : known;
        }

        string id = modelId.Trim();
        if (TryResolve(id) is { } reference)
        {
            ModelPricing? pricing = LocalProviders.Contains(reference.Provider) ? ModelPricing.Free : null;
            return ModelInfo.Unknown(reference.ToString(), reference.Provider, reference.Model, pricing);
        }

        int slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            ? ModelInfo.Unknown(id, id[..slash].ToLowerInvariant(), id[(slash + 1)..], null)
            : ModelInfo.Unknown(id, "", id, null);
    }

    /// <summary>Adds <paramref name="model"/> to this catalog, replacing the entry with the same id.</summary>
    public void Add(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Validate(model);
        lock (_gate)
        {
            var entries = new Dictionary<string, ModelInfo>(_snapshot.Entries, StringComparer.OrdinalIgnoreCase) { [model.Id] = model };
            _snapshot = new Snapshot(entries);
        }
    }

    /// <summary>Returns a new catalog holding this one's models, with <paramref name="models"/> added or replacing entries of the same id. This catalog is not changed.</summary>
    public ModelCatalog With(IEnumerable<ModelInfo> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return new ModelCatalog([.. _snapshot.Entries.Values, .. models], _registry) { PricesAsOf = PricesAsOf };
    }

    internal static ModelCatalog FromJson(string json, string source, ProviderRegistry? registry = null)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, ModelCatalogJsonContext.Default.CatalogFile);
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"{Capitalize(source)} is not valid: {ex.Message}");
        }

        if (file is null)
        {
            throw new ConfigurationException($"{Capitalize(source)} is empty; write an object with a \"models\" array.");
        }

        var models = new List<ModelInfo>(file.Models.Count);
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < file.Models.Count; i++)
        {
            ModelInfo model = ToModel(file.Models[i], i, source);
            if (!ids.Add(model.Id))
            {
                throw new ConfigurationException($"{Capitalize(source)} lists '{model.Id}' twice (models[{i}]); keep one entry per id.");
            }

            models.Add(model);
        }

        return new ModelCatalog(models, registry ?? ProviderRegistry.Default) { PricesAsOf = file.PricesAsOf };
    }

    private static ModelInfo ToModel(CatalogEntry entry, int index, string source)
    {
        try
        {
            CatalogPricing? price = entry.Pricing;
            CatalogCapabilities? can = entry.Capabilities;
            return Validate(new ModelInfo(entry.Id, entry.ContextWindow, entry.MaxOutputTokens)
            {
                Pricing = price is null ? null : new ModelPricing(price.Input, price.Output, price.CachedInput, price.CacheWrite) { WebSearches = price.WebSearches },
                Capabilities = can is null
                    ? ModelCapabilities.None
                    : new ModelCapabilities(can.Tools, can.Vision, can.Reasoning, can.JsonSchema) { NativeJsonSchema = can.NativeJsonSchema ?? can.JsonSchema, Embeddings = can.Embeddings },
                Aliases = entry.Aliases is null ? [] : [.. entry.Aliases],
            });
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException($"{Capitalize(source)} has an invalid entry at models[{index}] ('{entry.Id}'): {ex.Message}");
        }
    }

    private static ModelInfo Validate(ModelInfo model)
    {
        if (model.MaxOutputTokens > model.ContextWindow)
        {
            throw new ArgumentException(
                $"The model '{model.Id}' cannot write more tokens ({model.MaxOutputTokens}) than its context window holds ({model.ContextWindow}).", nameof(model));
        }

        foreach (string alias in model.Aliases)
        {
            if (string.IsNullOrWhiteSpace(alias) || alias.Contains('/', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The alias '{alias}' of '{model.Id}' must be a model name at the same provider, without a provider prefix.", nameof(model));
            }
        }

        return model;
    }

    private static ModelCatalog LoadEmbedded()
    {
        using Stream stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the Allos assembly.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd(), "the embedded model catalog");
    }

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    // Looks a host's "vendor/model" name up as that vendor's model; a hosted model is priced as at the vendor, which is
    // what OpenRouter charges. Hosts write Claude versions with dots (claude-sonnet-4.5) where Anthropic uses dashes.
    private static ModelInfo? FindInner(Snapshot snapshot, string model)
    {
        int slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == model.Length - 1)
        {
            return null;
        }

        string vendor = model[..slash];
        string provider = VendorNames.GetValueOrDefault(vendor, vendor).ToLowerInvariant();
        if (LocalProviders.Contains(provider))
        {
            return null;
        }

        string name = model[(slash + 1)..];
        return snapshot.Find(provider, name) ?? (name.Contains('.', StringComparison.Ordinal) ? snapshot.Find(provider, name.Replace('.', '-')) : null);
    }

    private ModelReference? TryResolve(string id)
    {
        try
        {
            return _registry.Resolve(id);
        }
        catch (ConfigurationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="suffix"/> (what follows a listed name and a dash) marks a snapshot of that same model: a
    /// date or version number (<c>20250929</c>, <c>2024-08-06</c>, <c>001</c>) or <c>latest</c>/<c>preview</c>/<c>exp</c>
    /// followed by dates. Short numbers are refused: <c>claude-sonnet-4-5</c> is not a snapshot of <c>claude-sonnet-4</c>.
    /// </summary>
    private static bool IsSnapshotSuffix(string suffix)
    {
        string[] parts = suffix.Split('-');
        string first = parts[0];
        bool firstOk = SnapshotWords.Contains(first) || (first.Length >= 3 && first.All(char.IsAsciiDigit));
        return firstOk && parts.Skip(1).All(part => part.Length > 0 && (part.All(char.IsAsciiDigit) || SnapshotWords.Contains(part)));
    }

    private sealed class Snapshot
    {
        private readonly Dictionary<string, ModelInfo> _byId;

        public Snapshot(Dictionary<string, ModelInfo> entries)
        {
            Entries = entries;
            _byId = new Dictionary<string, ModelInfo>(entries, StringComparer.OrdinalIgnoreCase);
            foreach (ModelInfo model in entries.Values)
            {
                foreach (string alias in model.Aliases)
                {
                    // An entry's own id always beats another entry's alias.
                    _byId.TryAdd($"{model.Provider}/{alias.Trim()}", model);
                }
            }
        }

        public Dictionary<string, ModelInfo> Entries { get; }

        public ModelInfo? Lookup(string id) => _byId.GetValueOrDefault(id);

        public ModelInfo? Find(string provider, string model)
        {
            if (Lookup($"{provider}/{model}") is ModelInfo exact)
            {
                return exact;
            }

            // Right to left, so the longest listed prefix wins (gpt-4o-mini-2024-07-18 is gpt-4o-mini, not gpt-4o).
            for (int dash = model.LastIndexOf('-'); dash > 0; dash = model.LastIndexOf('-', dash - 1))
            {
                if (IsSnapshotSuffix(model[(dash + 1)..]) && Lookup($"{provider}/{model[..dash]}") is ModelInfo prefix)
                {
                    return prefix;
                }
            }

            return null;
        }

        public ModelInfo? FindUniqueByModel(string model)
        {
            ModelInfo? found = null;
            foreach (string provider in Entries.Values.Select(entry => entry.Provider).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Find(provider, model) is ModelInfo match)
                {
                    if (found is not null && !ReferenceEquals(found, match))
                    {
                        return null; // listed at two providers: the name alone does not say which price applies
                    }

                    found = match;
                }
            }

            return found;
        }
    }
}
