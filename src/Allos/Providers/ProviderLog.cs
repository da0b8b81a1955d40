using Microsoft.Extensions.Logging;

namespace Allos.Providers;

/// <summary>The provider clients' log lines. Only the host of the URL is logged: keys can travel in headers or the query string.</summary>
internal static partial class ProviderLog
{
    [LoggerMessage(EventId = 2001, EventName = "ProviderRequestSent", Level = LogLevel.Debug,
        Message = "Sending a {Provider} request for '{Model}' to {Host} (streaming: {Streaming})")]
    public static partial void RequestSent(this ILogger logger, string provider, string model, string host, bool streaming);
}
