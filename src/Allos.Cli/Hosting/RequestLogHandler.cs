using System.Diagnostics;
using System.Text.RegularExpressions;
using Allos.Security;

namespace Allos.Cli.Hosting;

/// <summary>Logs each HTTP request and response line for <c>--verbose</c>, with keys and tokens masked.</summary>
internal sealed partial class RequestLogHandler(TextWriter log) : DelegatingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    private static readonly string[] SecretHeaders = ["Authorization", "x-api-key", "api-key", "x-goog-api-key", "Proxy-Authorization"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long? length = request.Content?.Headers.ContentLength;
        string headers = string.Join(", ", request.Headers.Select(header => $"{header.Key}: {Mask(header.Key, string.Join(",", header.Value))}"));
        await log.WriteLineAsync($"→ {request.Method} {MaskUrl(request.RequestUri)} ({length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes) {headers}").ConfigureAwait(false);
        try
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            string requestId = response.Headers.TryGetValues("x-request-id", out IEnumerable<string>? ids) || response.Headers.TryGetValues("request-id", out ids) ? $" request-id {ids.First()}" : string.Empty;
            await log.WriteLineAsync($"← {(int)response.StatusCode} {response.ReasonPhrase} in {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms{requestId}").ConfigureAwait(false);
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await log.WriteLineAsync($"← failed after {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} ms: {ex.GetType().Name}: {SecretRedactor.Redact(ex.Message)}").ConfigureAwait(false);
            throw;
        }
    }

    internal static string Mask(string header, string value)
    {
        if (!SecretHeaders.Contains(header, StringComparer.OrdinalIgnoreCase))
        {
            return value;
        }

        int space = value.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? $"{value[..space]} ***" : "***";
    }

    internal static string MaskUrl(Uri? uri) => uri is null ? "" : KeyParameter().Replace(uri.ToString(), "$1=***");

    [GeneratedRegex("([?&](?:key|api-key|api_key|token))=[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex KeyParameter();
}
