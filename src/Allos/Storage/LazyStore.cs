namespace Allos.Storage;

/// <summary>
/// An <see cref="AllosStore"/> (SQLite or PostgreSQL) opened on first use, so registering or resolving the stores creates
/// no file and opens no connection.
/// What <c>AddAllos</c> registers behind <see cref="ISessionStore"/> and <see cref="ITelemetryStore"/>.
/// </summary>
/// <remarks>Thread-safe: the store is opened once, whichever caller comes first. A failed open is retried by the next caller.</remarks>
internal sealed class LazyStore(Func<Task<AllosStore>> open) : IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private Task<AllosStore>? _opening;
    private bool _disposed;

    /// <summary>Gets the store, opening it on the first call.</summary>
    public Task<AllosStore> GetAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_opening is null || _opening.IsFaulted || _opening.IsCanceled)
            {
                // Not under the caller's token: the store outlives the call that happened to open it.
                _opening = open();
            }

            return _opening;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the store once it is open, without blocking the caller.</summary>
    /// <remarks>For the telemetry store's fire-and-forget writes; continuations run in the order they were added.</remarks>
    public void Post(Action<AllosStore> action)
    {
        Task<AllosStore> opening;
        lock (_gate)
        {
            if (_disposed)
            {
                return; // A late record after the container is gone is dropped, not thrown at the call that made it.
            }

            opening = GetAsync();
        }

        if (opening.IsCompletedSuccessfully)
        {
            action(opening.Result);
            return;
        }

        // If the file cannot be opened the record is dropped: telemetry never fails the call that produced it.
        _ = opening.ContinueWith(
            static (task, state) => ((Action<AllosStore>)state!)(task.Result),
            action,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Task<AllosStore>? opening;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            opening = _opening;
        }

        if (opening is not null)
        {
            AllosStore store;
            try
            {
                store = await opening.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return; // Never opened: nothing to flush or release.
            }

            await store.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A container disposed synchronously still flushes the queued telemetry.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
