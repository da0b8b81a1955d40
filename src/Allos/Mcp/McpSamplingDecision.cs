namespace Allos.Mcp;

/// <summary>The answer to an <see cref="McpSamplingRequest"/>.</summary>
/// <param name="Allowed">Whether the request is sent to the model.</param>
/// <param name="Reason">Why it was refused; the server reads it in the error.</param>
public sealed record McpSamplingDecision(bool Allowed, string? Reason = null)
{
    /// <summary>Sends the request.</summary>
    public static McpSamplingDecision Allow() => new(true);

    /// <summary>Refuses the request, with a reason the server reads.</summary>
    public static McpSamplingDecision Deny(string? reason = null) => new(false, reason);
}
