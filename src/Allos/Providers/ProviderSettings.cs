namespace Allos.Providers;

/// <summary>Everything a built-in codec needs, resolved from options and environment once, at creation.</summary>
internal sealed record ProviderSettings(string Provider, string Model, Uri Endpoint, string? ApiKey, ChatClientOptions Options)
{
    /// <summary>Gets the source of a Bearer token sent with every request (Vertex AI), or <see langword="null"/> when the codec authenticates with <see cref="ApiKey"/>.</summary>
    public Http.IAccessTokenSource? AccessToken { get; init; }

    public HttpClient HttpClient => Options.HttpClient ?? Http.SharedHttpClient.Instance;

    /// <summary>Joins a relative path to the endpoint, keeping the endpoint's own path (<c>/v1</c>, <c>/openai/v1</c>).</summary>
    public Uri Combine(string relative) => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}/{relative.TrimStart('/')}");
}
