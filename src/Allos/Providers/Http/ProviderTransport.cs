using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Allos.Providers.Http;

/// <summary>
/// Sends a provider's HTTP requests and turns every way they can fail (status codes, timeouts, broken connections,
/// unreadable bodies) into the one <see cref="ProviderException"/> hierarchy.
/// </summary>
/// <remarks>Thread-safe; one instance per provider client.</remarks>
internal sealed class ProviderTransport
{
    private const int MaxErrorTextLength = 2_000;

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly Func<int, string, ProviderError> _parseError;

    public ProviderTransport(string provider, HttpClient httpClient, TimeSpan timeout, TimeProvider timeProvider, Func<int, string, ProviderError> parseError)
    {
        Provider = provider;
        HttpClient = httpClient;
        Timeout = timeout;
        TimeProvider = timeProvider;
        _parseError = parseError;
    }

    public string Provider { get; }

    public HttpClient HttpClient { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Starts the clock of one call: the returned source is cancelled by the caller's token or by the timeout.</summary>
    public CancellationTokenSource StartCall(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(Timeout);
        }

        return cts;
    }

    /// <summary>
    /// A JSON request body with a Content-Length: serialized up front rather than streamed, because some
    /// OpenAI-compatible servers and proxies reject chunked request bodies.
    /// </summary>
    public static HttpContent JsonBody<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    /// <summary>Sends the request and returns the response once its headers arrived; a non-success status becomes an exception.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw CreateHttpError((int)response.StatusCode, response.Headers, body);
        }
    }

    /// <summary>Builds the exception for a failed HTTP response.</summary>
    public ProviderException CreateHttpError(int status, HttpResponseHeaders headers, string body)
    {
        ProviderError error;
        try
        {
            error = _parseError(status, body);
        }
        catch (JsonException)
        {
            error = new ProviderError(ProviderError.KindFromStatus(status), Shorten(body));
        }

        if (string.IsNullOrWhiteSpace(error.Message))
        {
            error = error with { Message = string.IsNullOrWhiteSpace(body) ? "(empty body)" : Shorten(body) };
        }

        TimeSpan? retryAfter = RetryAfterParser.Parse(headers, TimeProvider.GetUtcNow());
        return error.ToException(Provider, status, retryAfter, GetRequestId(headers) ?? error.RequestId);
    }

    /// <summary>Builds the exception for an error the provider sent inside a stream that had started with HTTP 200.</summary>
    public ProviderException CreateStreamError(ProviderError error) => error.ToException(Provider, status: null, headerRetryAfter: null, requestId: error.RequestId);

    /// <summary>The error for a stream that ended before the provider's terminator: the answer would be partial.</summary>
    public ProviderException CreateTruncatedStreamError(string terminator) =>
        new ProviderConnectionException(Provider, $"The {Provider} stream ended before {terminator}; the response is incomplete.");

    /// <summary>
    /// Translates low-level failures into provider exceptions. Cancellation by the caller is not a failure and is left alone;
    /// cancellation by our own timeout becomes <see cref="ProviderTimeoutException"/>.
    /// </summary>
    public bool TryTranslate(Exception exception, CancellationToken callerToken, out Exception translated)
    {
        translated = exception;
        switch (exception)
        {
            case OperationCanceledException when callerToken.IsCancellationRequested:
            case AllosException:
                return false;
            case OperationCanceledException:
                translated = new ProviderTimeoutException(Provider, $"The {Provider} request did not complete within {Timeout.TotalSeconds:0.#} s.", innerException: exception);
                return true;
            case HttpRequestException or IOException:
                translated = new ProviderConnectionException(Provider, $"The connection to {Provider} failed: {exception.Message}", innerException: exception);
                return true;
            case JsonException:
                translated = new ProviderServerException(Provider, $"{Provider} sent a response Allos could not parse: {exception.Message}", innerException: exception);
                return true;
            default:
                return false;
        }
    }

    internal static string Shorten(string text) =>
        text.Length <= MaxErrorTextLength ? text.Trim() : string.Concat(text.AsSpan(0, MaxErrorTextLength), "…");

    private static string? GetRequestId(HttpResponseHeaders headers)
    {
        foreach (string name in (ReadOnlySpan<string>)["x-request-id", "request-id"])
        {
            if (headers.TryGetValues(name, out IEnumerable<string>? values))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }
}
