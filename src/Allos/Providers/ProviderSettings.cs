namespace Allos.Providers;

/// <summary>Everything a built-in codec needs, resolved from options and environment once, at creation.</summary>
internal sealed record ProviderSettings(string Provider, string Model, Uri Endpoint, string? ApiKey, ChatClientOptions Options)
{
    public HttpClient HttpClient => Options.HttpClient ?? Http.SharedHttpClient.Instance;

    /// <summary>Joins a relative path to the endpoint, keeping the endpoint's own path (<c>/v1</c>, <c>/openai/v1</c>).</summary>
    public Uri Combine(string relative) => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}/{relative.TrimStart('/')}");
}
