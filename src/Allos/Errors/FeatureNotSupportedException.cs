namespace Allos;

/// <summary>The request uses something the provider cannot do (for example an image URL on Ollama); Allos refuses rather than dropping it silently.</summary>
public sealed class FeatureNotSupportedException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="FeatureNotSupportedException"/> class.</summary>
    public FeatureNotSupportedException(string provider, string feature, string? hint = null)
        : base($"The '{provider}' provider does not support {feature}.{(hint is null ? "" : " " + hint)}")
    {
        Provider = provider;
        Feature = feature;
    }

    /// <summary>Gets the provider name.</summary>
    public string Provider { get; }

    /// <summary>Gets a short description of the unsupported feature.</summary>
    public string Feature { get; }
}
