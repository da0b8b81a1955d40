namespace Allos.Providers.Http;

/// <summary>The one pooled <see cref="HttpClient"/> every provider client shares unless the user supplies their own.</summary>
internal static class SharedHttpClient
{
    private static readonly Lazy<HttpClient> LazyInstance = new(Create);

    public static HttpClient Instance => LazyInstance.Value;

    private static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            // Recycle connections so DNS changes are seen; keep idle ones long enough to reuse between turns.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            EnableMultipleHttp2Connections = true,

            // Redirects are followed by ProviderTransport, within the request's origin only: the handler would carry
            // x-api-key and x-goog-api-key to any host (it strips only Authorization).
            AllowAutoRedirect = false,

            // A stream abandoned on cancellation is closed, not drained: draining would keep the provider generating
            // (and billing) tokens nobody reads.
            MaxResponseDrainSize = 0,
        };

        // Timeouts are applied per call by ProviderTransport, so a long stream is not cut by HttpClient's own clock.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
