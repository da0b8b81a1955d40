using Allos.Gateway.Server.Errors;

namespace Allos.Gateway.Server.Metrics;

/// <summary>
/// What one request's handling learned that its metrics are tagged with: the model asked for and the key (set at admission),
/// and the kind of error sent back. Lives in <c>HttpContext.Features</c> for the length of the request.
/// </summary>
internal sealed class GatewayRequestFeature
{
    /// <summary>Gets or sets the alias or model id the request named.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets the key's label: its alias, else the first 8 characters of its hash; never the key.</summary>
    public string? Key { get; set; }

    /// <summary>Gets or sets the kind of the error written back, if one was.</summary>
    public GatewayErrorKind? Error { get; set; }
}
