using System.Numerics;

namespace Allos.Gateway;

/// <summary>
/// The requests admitted within the last window, oldest first, each with its timestamp and token count: the state behind
/// a <see cref="DeploymentRateLimiter"/>. The number of entries is the request count, the sum of their tokens the token count.
/// </summary>
/// <remarks>
/// <para>
/// A sliding log rather than fixed or segmented windows: an entry counts for exactly one window after it was admitted, so
/// the limiter never admits a burst at a window edge that the provider (which also slides) would reject. The cost is one
/// 16-byte entry per admitted request still in the window.
/// </para>
/// <para>
/// Entries live in a growable ring buffer and carry consecutive sequence numbers, so an entry is found by subtraction,
/// adding never allocates once the buffer has grown to the steady-state size, and expiry is a pointer move.
/// Timestamps are <see cref="TimeProvider.GetTimestamp"/> values. Not thread-safe: the owner locks.
/// </para>
/// </remarks>
internal sealed class SlidingWindowLog
{
    private readonly long _window;
    private Entry[] _entries;
    private int _head;
    private long _headSequence;

    /// <summary>Initializes an empty log whose entries live for <paramref name="window"/> timestamp ticks.</summary>
    public SlidingWindowLog(long window, int initialCapacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        _window = window;
        _entries = new Entry[(int)BitOperations.RoundUpToPowerOf2((uint)initialCapacity)];
    }

    /// <summary>Gets the number of entries not yet expired by the last <see cref="Expire"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the sum of the tokens of those entries.</summary>
    public long Tokens { get; private set; }

    /// <summary>Drops the entries admitted a full window or more before <paramref name="now"/>.</summary>
    public void Expire(long now)
    {
        int mask = _entries.Length - 1;
        while (Count > 0 && now - _entries[_head].Timestamp >= _window)
        {
            Tokens -= _entries[_head].Tokens;
            _head = (_head + 1) & mask;
            _headSequence++;
            Count--;
        }
    }

    /// <summary>Appends an entry admitted at <paramref name="now"/> (no earlier than any entry already logged) and returns its sequence number.</summary>
    public long Add(long now, long tokens)
    {
        if (Count == _entries.Length)
        {
            Grow();
        }

        _entries[(_head + Count) & (_entries.Length - 1)] = new Entry(now, tokens);
        Count++;
        Tokens += tokens;
        return _headSequence + Count - 1;
    }

    /// <summary>
    /// Replaces the token count of entry <paramref name="sequence"/>. Returns <see langword="false"/> when the entry has
    /// already expired (its tokens no longer count, whatever they were).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No entry with that sequence number was ever added.</exception>
    public bool TrySetTokens(long sequence, long tokens, out long previousTokens)
    {
        long offset = sequence - _headSequence;
        if (offset < 0)
        {
            previousTokens = 0;
            return false;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Count, nameof(sequence));
        ref Entry entry = ref _entries[(_head + (int)offset) & (_entries.Length - 1)];
        previousTokens = entry.Tokens;
        Tokens += tokens - previousTokens;
        entry = entry with { Tokens = tokens };
        return true;
    }

    /// <summary>
    /// Returns the earliest timestamp at which, if nothing more is added, at most <paramref name="maxCount"/> entries holding at
    /// most <paramref name="maxTokens"/> tokens remain; <see cref="long.MinValue"/> when that is already the case.
    /// </summary>
    public long EarliestTimeWithin(int maxCount, long maxTokens)
    {
        int remainingCount = Count;
        long remainingTokens = Tokens;
        long time = long.MinValue;
        int mask = _entries.Length - 1;
        for (int i = 0; remainingCount > Math.Max(maxCount, 0) || (remainingTokens > maxTokens && remainingCount > 0); i++)
        {
            Entry entry = _entries[(_head + i) & mask];
            remainingCount--;
            remainingTokens -= entry.Tokens;
            time = entry.Timestamp + _window;
        }

        return time;
    }

    private void Grow()
    {
        var larger = new Entry[_entries.Length * 2];
        int firstPart = Math.Min(Count, _entries.Length - _head);
        Array.Copy(_entries, _head, larger, 0, firstPart);
        Array.Copy(_entries, 0, larger, firstPart, Count - firstPart);
        _entries = larger;
        _head = 0;
    }

    private readonly record struct Entry(long Timestamp, long Tokens);
}
