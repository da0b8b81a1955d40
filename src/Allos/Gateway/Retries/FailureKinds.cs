using System.Net.Sockets;

namespace Allos.Gateway;

/// <summary>Classifies exceptions from deployments. Decisions rest on the exception types alone, never on provider strings.</summary>
internal static class FailureKinds
{
    public static FailureKind Classify(Exception error) => error switch
    {
        ContextWindowExceededException => FailureKind.ContextWindow,
        ContentFilteredException => FailureKind.ContentPolicy,
        ProviderAuthenticationException or ProviderPermissionException or ProviderNotFoundException or QuotaExceededException or InvalidResponseException => FailureKind.Deployment,
        AllosException allos => allos.IsTransient ? FailureKind.Transient : FailureKind.Fatal,

        // Clients that are not ours (official SDK adapters, user clients) fail with the framework's own types.
        HttpRequestException { StatusCode: { } status } when (int)status is >= 400 and < 500 and not 408 and not 429 => FailureKind.Fatal,
        HttpRequestException or IOException or SocketException or TimeoutException => FailureKind.Transient,
        _ => FailureKind.Fatal,
    };
}
