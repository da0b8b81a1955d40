namespace Allos.Providers.Http;

/// <summary>Supplies the OAuth access token sent as <c>Authorization: Bearer</c> by providers that take one instead of an API key (Vertex AI).</summary>
/// <remarks>Implementations are thread-safe, cache the token and refresh it before it expires.</remarks>
internal interface IAccessTokenSource
{
    /// <summary>Returns a token valid for at least the next minute; failures are <see cref="AllosException"/>s that never show the credential.</summary>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);
}
