using System.Threading.Channels;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>What a subscription received, in order, for tests that wait (up to a generous limit) for the item they expect.</summary>
public sealed class Inbox<T>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly List<T> _seen = [];

    /// <summary>Gets the handler to subscribe: it only queues the item, as a feed's handler must.</summary>
    public void Add(T item) => _items.Writer.TryWrite(item);

    /// <summary>Returns the next item that matches, skipping the others; fails naming what came when none does in time.</summary>
    public async Task<T> NextAsync(Func<T, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            while (true)
            {
                T item = await _items.Reader.ReadAsync(timeout.Token);
                _seen.Add(item);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new ShouldAssertException($"No {what} within {Limit.TotalSeconds} s; received: [{string.Join(", ", _seen)}]");
        }
    }
}
