namespace Allos.Storage.Limits;

/// <summary>
/// How far a shared-limits writer has got with the settles queued to it: whether any are pending, and a task per flush
/// that completes once everything queued before it is written (or abandoned, when the writer stops).
/// </summary>
internal sealed class SettleProgress
{
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private long _queued;
    private long _written;

    public bool Pending => Interlocked.Read(ref _written) < Interlocked.Read(ref _queued);

    public void Queued() => Interlocked.Increment(ref _queued);

    public Task FlushAsync()
    {
        long target = Interlocked.Read(ref _queued);
        lock (_flushes)
        {
            if (Interlocked.Read(ref _written) >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((target, done));
            return done.Task;
        }
    }

    /// <summary>Counts <paramref name="count"/> settles written; <paramref name="abandoned"/> releases every flush (the writer stopped).</summary>
    public void Written(int count, bool abandoned = false)
    {
        long written = Interlocked.Add(ref _written, count);
        lock (_flushes)
        {
            for (int i = _flushes.Count - 1; i >= 0; i--)
            {
                if (abandoned || _flushes[i].Target <= written)
                {
                    _flushes[i].Done.TrySetResult();
                    _flushes.RemoveAt(i);
                }
            }
        }
    }
}
