using System.Threading.Channels;

namespace Allos.Storage;

/// <summary>
/// Writes telemetry rows in the background, for both stores: callers only enqueue; one loop drains the queue in batches
/// of up to the store's batch size and hands each to the store's batch writer (one transaction per batch).
/// </summary>
internal sealed class TelemetryWriter : IAsyncDisposable
{
    private readonly Func<List<object>, Task> _write;
    private readonly Func<Exception, bool> _transient;
    private readonly int _batchSize;
    private readonly TimeSpan _interval;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Task _loop;
    private int _pending;

    /// <summary>A writer whose batches go to <paramref name="write"/>; <paramref name="transient"/> failures (a lock held too long, a dropped connection) are retried.</summary>
    public TelemetryWriter(int batchSize, TimeSpan interval, Func<List<object>, Task> write, Func<Exception, bool> transient)
    {
        _batchSize = batchSize;
        _interval = interval;
        _write = write;
        _transient = transient;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Enqueues a row (a record) or a flush marker; never waits.</summary>
    public void Enqueue(object item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException("telemetry store", "The store is disposed; telemetry can no longer be recorded.");
        }

        // A full batch is written at once instead of waiting out the interval.
        if (Interlocked.Increment(ref _pending) == _batchSize || item is FlushRequest)
        {
            _wake.Release();
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var request = new FlushRequest();
        Enqueue(request);
        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_queue.Writer.TryComplete())
        {
            _wake.Release();
            await _loop.ConfigureAwait(false);
            _wake.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<object>(_batchSize);
        var flushes = new List<FlushRequest>();
        ChannelReader<object> reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _batchSize && reader.TryRead(out object? item))
            {
                Interlocked.Decrement(ref _pending);
                if (item is FlushRequest flush)
                {
                    flushes.Add(flush);
                    break;
                }

                batch.Add(item);
            }

            Exception? error = null;
            if (batch.Count > 0)
            {
                error = await WriteWithRetryAsync(batch).ConfigureAwait(false);
            }

            bool full = batch.Count == _batchSize;
            batch.Clear();
            foreach (FlushRequest flush in flushes)
            {
                if (error is null)
                {
                    flush.Done.TrySetResult();
                }
                else
                {
                    flush.Done.TrySetException(error);
                }
            }

            bool flushed = flushes.Count > 0;
            flushes.Clear();

            // Linger after a partial batch so the next one is fuller; a full queue, a flush or disposal ends the wait.
            if (!full && !flushed && _interval > TimeSpan.Zero && !reader.Completion.IsCompleted)
            {
                await _wake.WaitAsync(_interval).ConfigureAwait(false);
            }

            while (_wake.CurrentCount > 0 && _wake.Wait(0))
            {
                // Drop wake-ups already served by this pass.
            }
        }
    }

    private async Task<Exception?> WriteWithRetryAsync(List<object> batch)
    {
        Exception? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await _write(batch).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (_transient(e))
            {
                // A transient failure (SQLite: the lock held beyond the busy timeout; PostgreSQL: a dropped connection): try
                // again shortly, then give up on this batch.
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1))).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The loop must survive any failure, or every later flush would wait forever; the error goes to FlushAsync.
                return e;
            }
        }

        return last;
    }

    /// <summary>A run step with the ids it belongs to.</summary>
    internal sealed record StepRow(string? SessionId, string RunId, RunStep Step);

    private sealed class FlushRequest
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
