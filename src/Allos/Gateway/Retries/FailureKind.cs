namespace Allos.Gateway;

/// <summary>What a failed attempt means for the rest of the request.</summary>
internal enum FailureKind
{
    /// <summary>Retrying or rerouting cannot help (invalid request, unsupported feature, configuration): raise it.</summary>
    Fatal,

    /// <summary>Worth retrying after a delay (rate limited, overloaded, server error, timeout, connection).</summary>
    Transient,

    /// <summary>This deployment cannot serve requests (bad key, no permission, unknown model, no credit): try another, without delay.</summary>
    Deployment,

    /// <summary>The request is too long for this model: try the context-window fallbacks.</summary>
    ContextWindow,

    /// <summary>The provider refused on content-policy grounds: try the content-policy fallbacks.</summary>
    ContentPolicy,
}
