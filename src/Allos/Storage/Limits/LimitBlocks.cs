using System.Collections.Concurrent;

namespace Allos.Storage.Limits;

/// <summary>
/// Reservation blocks over <see cref="ISharedLimits"/>: for accounts far from every limit, one round trip reserves a block
/// of calls (requests, budget and tokens for all of them) and this instance admits them from it with no round trip each;
/// near a limit every call is reserved on its own, exactly as before.
/// </summary>
/// <remarks>
/// <para>
/// A block is reserved in the store like any call, so the other instances count it: it can never let a budget, a rate or
/// a parallel limit be exceeded. Its cost is the other way: while a block is open, what it has not admitted yet is held
/// from the others. The caller sizes blocks so that is a small share of any limit (the gateway: at most 1/1024 of each),
/// a block admits for <see cref="DefaultOpenFor"/> at most, and it is settled once its last call ends, giving back what it did
/// not use (its unused requests leave the rate window too). A refused block is not asked for again on those accounts for
/// <see cref="Backoff"/>: their calls are reserved one by one, and the refusals they get are the store's own.
/// </para>
/// <para>
/// A crash loses the instance's open blocks with their calls; the others reclaim them as any reservation, charged at
/// their full estimate with all their requests counted: an overcharge, never an overspend.
/// </para>
/// </remarks>
internal sealed class LimitBlocks : IAsyncDisposable
{
    /// <summary>How long a block admits calls after it is reserved: how long it may hold what it has not used.</summary>
    internal static readonly TimeSpan DefaultOpenFor = TimeSpan.FromMilliseconds(100);

    /// <summary>How long accounts whose block was refused reserve call by call.</summary>
    internal static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    private readonly ISharedLimits _inner;
    private readonly TimeSpan _openFor;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Block> _calls = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sweeping;
    private int _unsettled;
    private long _taken;

    public LimitBlocks(ISharedLimits inner, TimeSpan? openFor = null)
    {
        _inner = inner;
        _openFor = openFor ?? DefaultOpenFor;
        _sweeping = Task.Run(SweepAsync);
    }

    /// <summary>Gets the store's limits these blocks are reserved in.</summary>
    public ISharedLimits Inner => _inner;

    /// <summary>Gets how many blocks were reserved since start (for tests and benchmarks).</summary>
    internal long BlocksTaken => Interlocked.Read(ref _taken);

    /// <summary>Gets a value indicating whether settles are queued, or blocks are open whose unused part is still held.</summary>
    public bool SettlesPending => Volatile.Read(ref _unsettled) > 0 || _inner.SettlesPending;

    /// <summary>
    /// Reserves one call: from this instance's open block on these accounts when <paramref name="block"/> is 2 or more
    /// (reserving a new block of that many calls when none has room), else on its own.
    /// </summary>
    /// <param name="accounts">The accounts in lock order, as <see cref="ISharedLimits.ReserveAsync(IReadOnlyList{LimitAccount}, decimal, long, CancellationToken)"/> takes them.</param>
    /// <param name="amount">The call's estimated maximum cost.</param>
    /// <param name="tokens">The call's estimated tokens.</param>
    /// <param name="block">How many calls a new block holds; below 2, none is used.</param>
    /// <param name="cancellationToken">Cancels the wait; a block being reserved for several callers is not cancelled.</param>
    public async ValueTask<LimitOutcome> ReserveAsync(IReadOnlyList<LimitAccount> accounts, decimal amount, long tokens, int block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        if (block >= 2)
        {
            string id = SlotId(accounts);
            for (int attempt = 0; attempt < 4; attempt++)
            {
                Slot slot = _slots.GetOrAdd(id, static _ => new Slot());
                Task<bool> fetching;
                TaskCompletionSource<bool>? mine = null;
                lock (slot)
                {
                    if (slot.Retired)
                    {
                        continue;
                    }

                    if (TakeLocked(slot, amount, tokens) is { } call)
                    {
                        return LimitOutcome.Admitted(call);
                    }

                    if (Environment.TickCount64 < slot.BlockedUntil)
                    {
                        break;
                    }

                    CloseLocked(slot);
                    if (slot.Fetching is not { IsCompleted: false })
                    {
                        mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                        slot.Fetching = mine.Task;
                    }

                    fetching = slot.Fetching;
                }

                if (mine is not null)
                {
                    // Outside the lock, and not cancelled with this caller: others may be waiting for the same block.
                    _ = FetchAsync(slot, [.. accounts], amount * block, tokens * block, block, mine);
                }

                if (!await fetching.WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        return await _inner.ReserveAsync(accounts, amount, tokens, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a call's reservation, from a block or its own.</summary>
    public void Settle(Guid lease, decimal actual, long tokens)
    {
        if (!_calls.TryRemove(lease, out Block? block))
        {
            _inner.Settle(lease, actual, tokens);
            return;
        }

        lock (block.Slot)
        {
            block.InFlight--;
            block.Actual += actual;
            block.Tokens += tokens;
            SettleIfDoneLocked(block);
        }
    }

    /// <summary>
    /// Closes the open blocks that count against an account (its record changed: a new limit, revoked, deleted), so the
    /// next call on it is reserved against what the store holds now.
    /// </summary>
    public void Close(LimitAccount account)
    {
        foreach (Slot slot in _slots.Values)
        {
            lock (slot)
            {
                if (slot.Open is { } block && Array.IndexOf(block.Accounts, account) >= 0)
                {
                    CloseLocked(slot);
                }
            }
        }
    }

    /// <summary>Closes every open block (settling those with no call left in flight), then waits for the queued settles.</summary>
    public Task FlushAsync()
    {
        CloseAll();
        return _inner.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sweeping.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        CloseAll();
        _stopping.Dispose();
    }

    /// <summary>Reserves a block for a slot; <paramref name="done"/> gets false when it was refused (the slot then reserves call by call for a while).</summary>
    private async Task FetchAsync(Slot slot, LimitAccount[] accounts, decimal amount, long tokens, int requests, TaskCompletionSource<bool> done)
    {
        LimitOutcome outcome;
        try
        {
            // The first taker's estimate sizes the block; a later call that does not fit in what is left gets a block of its own.
            outcome = await _inner.ReserveAsync(accounts, amount, tokens, requests, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            done.SetException(ex);
            return;
        }

        lock (slot)
        {
            if (outcome.Lease is not { } lease)
            {
                slot.BlockedUntil = Environment.TickCount64 + (long)Backoff.TotalMilliseconds;
                done.SetResult(false);
                return;
            }

            Interlocked.Increment(ref _taken);
            Interlocked.Increment(ref _unsettled);
            slot.Open = new Block(slot, lease, accounts, requests, amount, tokens, Environment.TickCount64 + (long)_openFor.TotalMilliseconds);
            if (slot.Retired)
            {
                CloseLocked(slot); // Swept while this was in flight: nothing will admit from it.
            }

            done.SetResult(true);
        }
    }

    private Guid? TakeLocked(Slot slot, decimal amount, long tokens)
    {
        Block? block = slot.Open;
        if (block is null || Environment.TickCount64 >= block.OpenUntil || block.Left == 0 || block.AmountLeft < amount || block.TokensLeft < tokens)
        {
            return null;
        }

        block.AmountLeft -= amount;
        block.TokensLeft -= tokens;
        block.Used++;
        block.InFlight++;
        var call = Guid.CreateVersion7();
        _calls[call] = block;
        if (block.Left == 0)
        {
            CloseLocked(slot);
        }

        return call;
    }

    /// <summary>Takes the slot's open block out of use (only the open block is ever admitted from); settles it if no call is in flight.</summary>
    private void CloseLocked(Slot slot)
    {
        if (slot.Open is { } block)
        {
            slot.Open = null;
            slot.LastClosed = Environment.TickCount64;
            block.Closed = true;
            SettleIfDoneLocked(block);
        }
    }

    private void SettleIfDoneLocked(Block block)
    {
        if (block.Closed && block.InFlight == 0 && !block.Settled)
        {
            block.Settled = true;
            Interlocked.Decrement(ref _unsettled);
            _inner.Settle(block.Lease, block.Actual, block.Tokens, block.Used);
        }
    }

    private void CloseAll()
    {
        foreach (Slot slot in _slots.Values)
        {
            lock (slot)
            {
                CloseLocked(slot);
            }
        }
    }

    /// <summary>Closes blocks whose time is up, so an idle one gives back what it holds; drops slots unused for a while.</summary>
    private async Task SweepAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Min(_openFor.TotalMilliseconds / 2, 1000)));
        while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
        {
            long now = Environment.TickCount64;
            foreach ((string id, Slot slot) in _slots)
            {
                lock (slot)
                {
                    if (slot.Open is { } block && now >= block.OpenUntil)
                    {
                        CloseLocked(slot);
                    }

                    if (slot.Open is null && slot.Fetching is not { IsCompleted: false } && now >= slot.BlockedUntil + 60_000 && now >= slot.LastClosed + 60_000)
                    {
                        slot.Retired = true;
                        _slots.TryRemove(id, out _);
                    }
                }
            }
        }
    }

    private static string SlotId(IReadOnlyList<LimitAccount> accounts)
    {
        if (accounts.Count == 1)
        {
            return accounts[0].KindName + ":" + accounts[0].Id;
        }

        return string.Join('\u001e', accounts.Select(a => a.KindName + ":" + a.Id));
    }

    /// <summary>One set of accounts' blocks on this instance: the open one, the one being reserved. Its own lock.</summary>
    private sealed class Slot
    {
        public Block? Open { get; set; }

        public Task<bool>? Fetching { get; set; }

        public long BlockedUntil { get; set; }

        public long LastClosed { get; set; } = Environment.TickCount64;

        /// <summary>Gets or sets a value indicating whether the sweep dropped this slot: callers still holding it take a new one.</summary>
        public bool Retired { get; set; }
    }

    /// <summary>One reserved block: what it may still admit, and what its calls have cost so far.</summary>
    private sealed class Block(Slot slot, Guid lease, LimitAccount[] accounts, int requests, decimal amount, long tokens, long openUntil)
    {
        public Slot Slot { get; } = slot;

        public Guid Lease { get; } = lease;

        public LimitAccount[] Accounts { get; } = accounts;

        public long OpenUntil { get; } = openUntil;

        public int Requests { get; } = requests;

        /// <summary>Gets how many more calls it may admit.</summary>
        public int Left => Requests - Used;

        public decimal AmountLeft { get; set; } = amount;

        public long TokensLeft { get; set; } = tokens;

        public int Used { get; set; }

        public int InFlight { get; set; }

        public decimal Actual { get; set; }

        public long Tokens { get; set; }

        public bool Closed { get; set; }

        public bool Settled { get; set; }
    }
}
