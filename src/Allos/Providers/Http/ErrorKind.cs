namespace Allos.Providers.Http;

/// <summary>What kind of failure a provider reported; each kind maps to one exception type.</summary>
internal enum ErrorKind
{
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    RateLimited,
    Quota,
    Overloaded,
    Server,
    Timeout,
    Connection,
    ContextWindow,
    ContentFilter,
}
