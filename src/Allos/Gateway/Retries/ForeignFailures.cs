using System.Net.Sockets;
using Allos.Providers.Http;

namespace Allos.Gateway;

/// <summary>
/// Turns the exceptions of clients that are not Allos's (official SDK adapters, a user's own <see cref="Microsoft.Extensions.AI.IChatClient"/>)
/// into the <see cref="ProviderException"/> hierarchy, so nothing but an <see cref="AllosException"/> (or the caller's
/// own cancellation) leaves the Router. The original stays as the inner exception.
/// </summary>
internal static class ForeignFailures
{
    public static Exception ToAllos(Exception error, string provider, CancellationToken cancellationToken)
    {
        switch (error)
        {
            case AllosException:
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return error;
            case HttpRequestException { StatusCode: { } status }:
                return new ProviderError(ProviderError.KindFromStatus((int)status), error.Message).ToException(provider, (int)status, null, null, error);
            case OperationCanceledException or TimeoutException:
                return new ProviderTimeoutException(provider, $"The {provider} client timed out: {error.Message}", innerException: error);
            case HttpRequestException or IOException or SocketException:
                return new ProviderConnectionException(provider, $"The connection to {provider} failed: {error.Message}", innerException: error);
            default:
                return new ProviderException(provider, $"The {provider} client failed ({error.GetType().Name}: {error.Message}).", innerException: error);
        }
    }
}
