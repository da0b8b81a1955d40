using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Allos.Providers.Http;

/// <summary>
/// Sends a provider's HTTP requests and turns every way they can fail (status codes, redirects, timeouts, broken
/// connections, unreadable bodies) into the one <see cref="ProviderException"/> hierarchy.
/// </summary>
/// <remarks>Thread-safe; one instance per provider client.</remarks>
internal sealed class ProviderTransport
{
    private const int MaxErrorTextLength = 2_000;
    private const int MaxErrorBodyCharacters = 64 * 1024;
    private const int MaxRedirects = 5;

    private readonly Func<int, HttpResponseHeaders, string, ProviderError> _parseError;

    public ProviderTransport(string provider, HttpClient httpClient, TimeSpan timeout, TimeProvider timeProvider, Func<int, string, ProviderError> parseError)
        : this(provider, httpClient, timeout, timeProvider, (status, _, body) => parseError(status, body))
    {
    }

    /// <summary>For a provider whose error kind is in a response header (AWS's <c>x-amzn-ErrorType</c>), not only in the body.</summary>
    public ProviderTransport(string provider, HttpClient httpClient, TimeSpan timeout, TimeProvider timeProvider, Func<int, HttpResponseHeaders, string, ProviderError> parseError)
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
    public static HttpContent JsonBody<T>(T value, JsonTypeInfo<T> typeInfo) => PooledJsonContent.Create(value, typeInfo);

    /// <summary>
    /// Sends <paramref name="request"/> (and disposes it) and maps the whole JSON answer with <paramref name="map"/>, under the
    /// call's clock and the error mapping: whatever goes wrong on the way, mapping included, leaves as an
    /// <see cref="AllosException"/> (or the caller's own cancellation). Chat and embeddings codecs both post through it.
    /// </summary>
    public async Task<TResult> PostJsonAsync<TResponse, TState, TResult>(HttpRequestMessage request, JsonTypeInfo<TResponse> responseType, TState state,
        Func<TResponse, TState, TResult> map, CancellationToken cancellationToken)
        where TResponse : class
    {
        using (request)
        {
            using CancellationTokenSource call = StartCall(cancellationToken);
            bool reading = false;
            try
            {
                using HttpResponseMessage response = await SendAsync(request, call.Token).ConfigureAwait(false);
                reading = true;
                var stream = new ResponseBodyStream(await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false), System.Threading.Timeout.InfiniteTimeSpan, TimeProvider, onIdle: null);
                await using (stream.ConfigureAwait(false))
                {
                    TResponse parsed = await JsonSerializer.DeserializeAsync(stream, responseType, call.Token).ConfigureAwait(false)
                        ?? throw NotAResponse(Provider, "a JSON object");
                    return map(parsed, state);
                }
            }
            catch (Exception ex) when (TryTranslate(ex, cancellationToken, reading, body: null, out Exception translated))
            {
                throw translated;
            }
        }
    }

    /// <summary>Sets the headers configured for every request (<c>ChatClientOptions.Headers</c>), replacing any of the same name.</summary>
    public static void ApplyHeaders(HttpRequestMessage request, IDictionary<string, string> headers)
    {
        foreach (KeyValuePair<string, string> header in headers)
        {
            request.Headers.Remove(header.Key);
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>
    /// Sends the request and returns the response once its headers arrived; a non-success status becomes an exception.
    /// Redirects are followed here, not by the handler, and only within the request's origin: .NET strips only
    /// <c>Authorization</c> on a redirect, so a handler following one to another host would hand it <c>x-api-key</c>
    /// or <c>x-goog-api-key</c>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpRequestMessage current = request;
        for (int hops = 0; ; hops++)
        {
            HttpResponseMessage response = await HttpClient.SendAsync(current, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            int status = (int)response.StatusCode;
            if (!IsRedirect(response.StatusCode))
            {
                using (response)
                {
                    string body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                    throw CreateHttpError(status, response.Headers, body);
                }
            }

            Uri? location = response.Headers.Location;
            response.Dispose();
            Uri from = current.RequestUri!;
            if (location is null)
            {
                throw new InvalidResponseException(Provider, $"{Provider} answered HTTP {status} (a redirect) without a Location header.", status);
            }

            Uri target = location.IsAbsoluteUri ? location : new Uri(from, location);
            if (!IsSameOrigin(request.RequestUri!, target))
            {
                throw new InvalidResponseException(Provider,
                    $"{Provider} redirected the request (HTTP {status}) from {Origin(request.RequestUri!)} to another origin, {Origin(target)}. "
                    + "Allos does not follow redirects to another origin, because the API key would be sent there. "
                    + "If the service has moved and you trust the new address, set the provider's endpoint to it.", status);
            }

            if (hops == MaxRedirects)
            {
                throw new InvalidResponseException(Provider, $"{Provider} redirected the request more than {MaxRedirects} times.", status);
            }

            HttpRequestMessage next = Redirected(request, target);
            if (!ReferenceEquals(current, request))
            {
                current.Content = null; // the content belongs to the original request, which its owner disposes
                current.Dispose();
            }

            current = next;
        }
    }

    /// <summary>Builds the exception for a failed HTTP response.</summary>
    public ProviderException CreateHttpError(int status, HttpResponseHeaders headers, string body)
    {
        ProviderError error;
        try
        {
            error = _parseError(status, headers, body);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An error body we cannot read (not JSON, the wrong shape, values out of range) still has its status.
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

    /// <summary>The error for an HTTP 200 whose body is not a response of the provider's API (<c>{}</c>, another shape).</summary>
    public static InvalidResponseException NotAResponse(string provider, string expected) =>
        new(provider, $"{provider} answered HTTP 200 with a body that is not a response ({expected} missing), so there is no answer to read.");

    /// <summary>
    /// Translates low-level failures into provider exceptions. Cancellation by the caller is not a failure and is left
    /// alone; cancellation by our own clocks becomes <see cref="ProviderTimeoutException"/>. While
    /// <paramref name="reading"/> a response, anything else unexpected (a value out of range, a body of the wrong shape)
    /// is the response's fault and becomes <see cref="InvalidResponseException"/>.
    /// </summary>
    public bool TryTranslate(Exception exception, CancellationToken callerToken, bool reading, ResponseBodyStream? body, out Exception translated)
    {
        translated = exception;
        switch (exception)
        {
            case OperationCanceledException when callerToken.IsCancellationRequested:
            case AllosException:
                return false;
            case OperationCanceledException when body is { IdleTimedOut: true }:
                translated = new ProviderTimeoutException(Provider,
                    $"The {Provider} stream sent nothing for {Seconds(body.IdleTimeout)} s after it had started; the response is incomplete. "
                    + "Raise the stream idle timeout if the model pauses longer than that.", innerException: exception);
                return true;
            case OperationCanceledException:
                translated = new ProviderTimeoutException(Provider, $"The {Provider} request did not complete within {Seconds(Timeout)} s.", innerException: exception);
                return true;
            case HttpRequestException or IOException or SocketException:
                translated = new ProviderConnectionException(Provider, $"The connection to {Provider} failed: {exception.Message}", innerException: exception);
                return true;
            case JsonException:
                translated = new InvalidResponseException(Provider, $"{Provider} sent a response Allos could not parse: {exception.Message}", innerException: exception);
                return true;
            case ArgumentNullException when !reading:
                return false; // a caller's contract violation, reported as it is
            default:
                translated = reading
                    ? new InvalidResponseException(Provider, $"{Provider} sent a response Allos could not read ({exception.GetType().Name}: {exception.Message}).", innerException: exception)
                    : new ProviderConnectionException(Provider, $"The request to {Provider} failed ({exception.GetType().Name}: {exception.Message}).", innerException: exception);
                return true;
        }
    }

    internal static string Shorten(string text) =>
        text.Length <= MaxErrorTextLength ? text.Trim() : string.Concat(text.AsSpan(0, MaxErrorTextLength), "…");

    internal static bool IsSameOrigin(Uri original, Uri target)
    {
        if (!string.Equals(original.IdnHost, target.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (string.Equals(original.Scheme, target.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return original.Port == target.Port;
        }

        // http → https on the same host is an upgrade, not a change of party.
        return original.Scheme == Uri.UriSchemeHttp && target.Scheme == Uri.UriSchemeHttps && original.IsDefaultPort && target.IsDefaultPort;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The same POST to another URL of the same origin: an API call keeps its method and body.</summary>
    private static HttpRequestMessage Redirected(HttpRequestMessage original, Uri target)
    {
        var next = new HttpRequestMessage(original.Method, target) { Content = original.Content, Version = original.Version, VersionPolicy = original.VersionPolicy };
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
        {
            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return next;
    }

    /// <summary>Reads an error body, bounded; a body that cannot be read (corrupt compression, a cut) leaves the status to speak.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            char[] buffer = new char[4096];
            var text = new System.Text.StringBuilder();
            int read;
            while (text.Length < MaxErrorBodyCharacters && (read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                text.Append(buffer, 0, read);
            }

            return text.ToString();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return "";
        }
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static string? GetRequestId(HttpResponseHeaders headers)
    {
        foreach (string name in (ReadOnlySpan<string>)["x-request-id", "request-id", "x-amzn-RequestId"])
        {
            if (headers.TryGetValues(name, out IEnumerable<string>? values))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }
}
