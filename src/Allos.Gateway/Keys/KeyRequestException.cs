namespace Allos.Gateway.Server.Keys;

/// <summary>A body of the key admin API that cannot be used; the message says which field and what to send instead.</summary>
internal sealed class KeyRequestException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}
