using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>What a layer knows of the model behind its inner client: its provider and catalog entry (limits, price).</summary>
internal sealed class AnsweringModel
{
    private readonly IChatClient _inner;
    private readonly ModelCatalog _catalog;
    private ModelInfo? _default;

    public AnsweringModel(IChatClient inner, ModelCatalog catalog)
    {
        _inner = inner;
        _catalog = catalog;
        Metadata = inner.GetService<ChatClientMetadata>();
        Provider = Metadata?.ProviderName ?? "unknown";
    }

    public ChatClientMetadata? Metadata { get; }

    /// <summary>Gets the provider name the inner client reports, or <c>unknown</c>.</summary>
    public string Provider { get; }

    /// <summary>Gets the model a request goes to: its <see cref="ChatOptions.ModelId"/>, else the client's default, else <c>default</c>.</summary>
    public string ModelOf(ChatOptions? options) => options?.ModelId ?? Metadata?.DefaultModelId ?? "default";

    /// <summary>Returns the catalog entry of the model a request goes to (one the inner client serves itself wins, as the Router's aliases do).</summary>
    public ModelInfo InfoOf(ChatOptions? options)
    {
        if (options?.ModelId is string model)
        {
            return Lookup(model);
        }

        // Resolved once: the client's own model does not change.
        return _default ??= _inner.GetService<ModelInfo>() ?? Lookup(ModelOf(null));
    }

    private ModelInfo Lookup(string model) =>
        _catalog.Get(model.Contains('/', StringComparison.Ordinal) || Metadata?.ProviderName is null ? model : $"{Metadata.ProviderName}/{model}");
}
