namespace Allos.Providers;

/// <summary>A model id resolved to its provider and the provider's own model name.</summary>
/// <param name="Provider">The registered provider name, lower case (<c>anthropic</c>).</param>
/// <param name="Model">The model name as the provider knows it (<c>claude-sonnet-4-5</c>).</param>
public readonly record struct ModelReference(string Provider, string Model)
{
    /// <summary>Returns <c>provider/model</c>.</summary>
    public override string ToString() => $"{Provider}/{Model}";
}
