namespace Allos.Gateway.Server.Errors;

/// <summary>What went wrong, in terms both ingress formats have a name for (each format spells them its own way).</summary>
internal enum GatewayErrorKind
{
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    RequestTooLarge,
    RateLimited,
    Budget,
    Overloaded,
    Timeout,
    Upstream,
    Internal,
}
