using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>An in-process response cache: least recently used entries go first once it holds too many entries or bytes.</summary>
/// <remarks>
/// <para>
/// Thread-safe. Responses are kept in serialized form: a hit returns a new <see cref="ChatResponse"/> each time, so a caller
/// that changes it cannot change what the next caller gets, and a response changed after <see cref="SetAsync"/> does not
/// change the stored one. Raw provider objects (<see cref="ChatResponse.RawRepresentation"/>) are not kept.
/// </para>
/// <para>Expired entries count as misses and are removed when met, and in a sweep every few hundred stores.</para>
/// </remarks>
public sealed class MemoryResponseCache : IResponseCache
{
    /// <summary>The default bound on the stored size: 64 MB.</summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    // Per-entry bookkeeping (node, dictionary slot, key object) beyond the key text and the serialized response.
    private const int EntryOverheadBytes = 128;

    private const int SweepEveryStores = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<Entry> _recency = new();
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly TimeProvider _timeProvider;
    private long _bytes;
    private int _storesSinceSweep;

    /// <summary>Initializes an empty cache.</summary>
    /// <param name="maxEntries">The most entries kept. Default: 1000.</param>
    /// <param name="timeProvider">The clock for expiry. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="maxBytes">The most bytes kept, estimated from the serialized responses and keys. Default: <see cref="DefaultMaxBytes"/> (64 MB).</param>
    public MemoryResponseCache(int maxEntries = 1000, TimeProvider? timeProvider = null, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of entries held, expired ones not yet removed included.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets the estimated size of the entries held, in bytes.</summary>
    public long SizeInBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] json;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                return ValueTask.FromResult<ChatResponse?>(null);
            }

            if (node.Value.ExpiresAt <= _timeProvider.GetUtcNow())
            {
                Remove(node);
                return ValueTask.FromResult<ChatResponse?>(null);
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            json = node.Value.Json;
        }

        // Deserialized outside the lock: the stored bytes never change.
        return ValueTask.FromResult<ChatResponse?>(ResponseJson.Deserialize(json));
    }

    /// <inheritdoc />
    /// <remarks>A response larger than the byte bound on its own is not stored (and any earlier entry under the key is removed).</remarks>
    public ValueTask SetAsync(string key, ChatResponse response, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        byte[] json = ResponseJson.SerializeToUtf8(response);
        long size = json.Length + ((long)key.Length * sizeof(char)) + EntryOverheadBytes;
        lock (_lock)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                Remove(existing);
            }

            if (size > _maxBytes)
            {
                return ValueTask.CompletedTask;
            }

            if (++_storesSinceSweep >= SweepEveryStores)
            {
                _storesSinceSweep = 0;
                RemoveExpired(now);
            }

            _entries[key] = _recency.AddFirst(new Entry(key, json, ResponseJson.ExpiresAt(now, timeToLive), size));
            _bytes += size;
            while (_entries.Count > _maxEntries || _bytes > _maxBytes)
            {
                Remove(_recency.Last!);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        LinkedListNode<Entry>? node = _recency.First;
        while (node is not null)
        {
            LinkedListNode<Entry>? next = node.Next;
            if (node.Value.ExpiresAt <= now)
            {
                Remove(node);
            }

            node = next;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    private readonly record struct Entry(string Key, byte[] Json, DateTimeOffset ExpiresAt, long Size);
}
