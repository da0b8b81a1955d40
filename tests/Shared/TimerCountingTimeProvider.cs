using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Shared;

/// <summary>A <see cref="FakeTimeProvider"/> that also counts the timers it has scheduled to fire, so a test can assert that nothing is left armed.</summary>
/// <remarks>A timer is armed from a <see cref="ITimer.Change"/> with a finite due time until it fires (one-shot), is changed to infinite, or is disposed.</remarks>
internal sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _lock = new();
    private readonly HashSet<CountedTimer> _armed = [];

    /// <summary>Gets the number of timers currently scheduled to fire.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, callback, state);
        timer.Inner = base.CreateTimer(static s => ((CountedTimer)s!).Fire(), timer, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _periodic;
        private bool _disposed;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (_disposed)
                {
                    return false;
                }

                _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner._armed.Remove(this);
                }
                else
                {
                    owner._armed.Add(this);
                }
            }

            // Outside the lock: the fake clock fires a timer that is already due from inside Change.
            return Inner.Change(dueTime, period);
        }

        public void Fire()
        {
            lock (owner._lock)
            {
                if (!_periodic)
                {
                    owner._armed.Remove(this);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                _disposed = true;
                owner._armed.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
