using Allos.Models;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// What one admitted request holds against its key (and the key's team and user): a place among its parallel requests, its
/// budget reservation and its rate-limit entry. <see cref="Settle(UsageDetails?, decimal?)"/> replaces the reservation with the actual cost and tokens.
/// </summary>
/// <remarks>
/// Settle once the call has ended (its last byte written); disposing an unsettled lease settles it at zero cost, as a call
/// that failed before the provider charged anything. Settling twice does nothing. Thread-safe.
/// </remarks>
internal sealed class KeyLease : IDisposable
{
    /// <summary>The lease of a request that counts against no key: the master key's, or any request when no master key is set.</summary>
    public static readonly KeyLease Unlimited = new(null, null, null, 0, 0, default(RateLimitTicket));

    private readonly KeyGate? _gate;
    private readonly KeyAccount? _account;
    private readonly ModelInfo? _model;
    private readonly decimal _reserved;
    private readonly long _estimatedTokens;
    private readonly RateLimitTicket _ticket;
    private readonly OwnerLeases _owners;
    private readonly Guid? _shared;
    private int _settled;
    private UsageDetails? _observedUsage;
    private decimal? _observedCost;

    internal KeyLease(KeyGate? gate, KeyAccount? account, ModelInfo? model, decimal reserved, long estimatedTokens, RateLimitTicket ticket, OwnerLeases owners = default)
    {
        _owners = owners;
        _gate = gate;
        _account = account;
        _model = model;
        _reserved = reserved;
        _estimatedTokens = estimatedTokens;
        _ticket = ticket;
    }

    /// <summary>A lease held in the gate's shared limits (<see cref="Allos.Storage.Limits.ISharedLimits"/>) rather than in this process.</summary>
    internal KeyLease(KeyGate gate, KeyAccount account, ModelInfo? model, decimal reserved, long estimatedTokens, Guid shared)
        : this(gate, account, model, reserved, estimatedTokens, default(RateLimitTicket))
    {
        _shared = shared;
    }

    /// <summary>Gets the key's record as admitted (alias, user, team for the spend log), or <see langword="null"/> for an unlimited lease.</summary>
    public VirtualKey? Key => _account?.Record;

    /// <summary>Settles with a whole response: its reported cost (<see cref="ResponseCost"/>), else the cost of its usage at catalog prices.</summary>
    public void Settle(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Settle(response.Usage, ResponseCost.Get(response));
    }

    /// <summary>Settles with what the call used: <paramref name="cost"/> when known, else <paramref name="usage"/> at catalog prices, else nothing.</summary>
    public void Settle(UsageDetails? usage, decimal? cost = null)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0 || _account is null)
        {
            return;
        }

        decimal actual = cost ?? (usage is not null && _model is not null ? CostCalculator.Cost(_model, usage) : null) ?? 0;
        long tokens = usage?.TotalTokenCount ?? ((usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0));
        Release(actual, usage is null ? _estimatedTokens : tokens);
    }

    /// <summary>Notes a streamed update's usage and reported cost, which <see cref="Dispose"/> settles with when the stream ends.</summary>
    /// <remarks>Call from the one loop that reads the stream (not thread-safe against itself).</remarks>
    public void Observe(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_account is null)
        {
            return;
        }

        _observedUsage = RateLimitChatClient.UsageOf(update, _observedUsage);
        if (update.AdditionalProperties is { Count: > 0 } && ResponseCost.Get(update) is decimal cost)
        {
            _observedCost = cost;
        }
    }

    /// <summary>
    /// Settles an unsettled lease with what <see cref="Observe"/> saw; without any usage, at zero cost, and its rate-limit
    /// entry keeps the estimate (the provider may have counted the call).
    /// </summary>
    public void Dispose()
    {
        if (_observedUsage is not null || _observedCost is not null)
        {
            Settle(_observedUsage, _observedCost);
            return;
        }

        if (Interlocked.Exchange(ref _settled, 1) != 0 || _account is null)
        {
            return;
        }

        Release(0, _estimatedTokens);
    }

    private void Release(decimal actual, long tokens)
    {
        if (_shared is { } lease)
        {
            _gate!.Settle(lease, actual, tokens);
        }
        else
        {
            _gate!.Settle(_account!, _reserved, actual, _ticket, tokens, _owners);
        }
    }
}
