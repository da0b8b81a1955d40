using Allos.Providers.Http;

namespace Allos.Providers.Vertex;

/// <summary>A ready access token (<c>VERTEX_ACCESS_TOKEN</c>, <c>gcloud auth print-access-token</c>, a proxy's own), sent as it is and never refreshed.</summary>
internal sealed class StaticAccessToken(string token) : IAccessTokenSource
{
    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);
}
