using System.Diagnostics.CodeAnalysis;
using Allos.Gateway.Server.Errors;

namespace Allos.Gateway.Server.Keys;

/// <summary>What <see cref="KeyGate"/> decided about one request: a lease to settle, or the error to send back.</summary>
internal readonly struct KeyAdmission
{
    private KeyAdmission(KeyLease? lease, GatewayError? error)
    {
        Lease = lease;
        Error = error;
    }

    /// <summary>Gets the lease of an admitted request; settle it (or dispose it) when the call ends.</summary>
    public KeyLease? Lease { get; }

    /// <summary>Gets why the request was refused: 401 (no, unknown, blocked or expired key), 403 (model not allowed) or 429 (limit or budget).</summary>
    public GatewayError? Error { get; }

    [MemberNotNullWhen(true, nameof(Lease))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Admitted => Lease is not null;

    public static KeyAdmission Admit(KeyLease lease) => new(lease, null);

    public static KeyAdmission Refuse(GatewayError error) => new(null, error);
}
