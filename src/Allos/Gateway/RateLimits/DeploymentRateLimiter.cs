namespace Allos.Gateway;

/// <summary>
/// Enforces one deployment's requests-per-minute and tokens-per-minute limits: each attempt takes one request and its token
/// estimate together, or nothing, and callers that choose to wait are served strictly in arrival order.
/// </summary>
/// <remarks>
/// <para>
/// Both limits are checked against one <see cref="SlidingWindowLog"/> under one lock: an admitted request is one entry,
/// the entry count is the request count and the entries' tokens are the token count. Taking both "together or nothing" is
/// therefore a single check, with nothing to hand back when one of the two is short. (System.Threading.RateLimiting was
/// the first plan but does not fit: it ships in the ASP.NET Core shared framework only, its sliding window replenishes
/// against the real <c>Stopwatch</c> even when replenishment is driven by hand, so a fake clock cannot move it, and its
/// failed leases carry no retry-after.)
/// </para>
/// <para>
/// Waiting is strictly first in, first out, over both limits: a small request queued behind a large one waits even when it
/// alone would fit. That is what keeps large requests from starving behind a stream of small ones; a request that arrives
/// while others wait (including through <see cref="TryAcquire"/>) never overtakes them. Waiters are woken, never polled:
/// one timer is set for the moment the first waiter will fit as older entries leave the window, and the line is also
/// re-examined when <see cref="Reconcile"/> lowers usage or the first waiter gives up.
/// </para>
/// <para>
/// A request whose estimate alone exceeds the tokens-per-minute limit could never fit; it is admitted when no tokens are
/// in the window, and then holds the window for everyone else until it expires.
/// </para>
/// <para>Thread-safe. All time comes from the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
internal sealed class DeploymentRateLimiter : IDisposable
{
    /// <summary>The default most callers that may wait in <see cref="AcquireAsync"/> at once.</summary>
    public const int DefaultQueueLimit = 10_000;

    private static int _lastLimiterId;

    private readonly Lock _lock = new();
    private readonly int? _requestsPerMinute;
    private readonly int? _tokensPerMinute;
    private readonly TimeProvider _timeProvider;
    private readonly int _queueLimit;
    private readonly int _id = Interlocked.Increment(ref _lastLimiterId);
    private readonly SlidingWindowLog _log;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ITimer _timer;
    private long _timerDue = long.MaxValue;
    private bool _disposed;

    /// <summary>Initializes a limiter for a deployment.</summary>
    /// <param name="requestsPerMinute">Requests admitted per <paramref name="window"/>, or <see langword="null"/> for no request limit.</param>
    /// <param name="tokensPerMinute">Tokens admitted per <paramref name="window"/>, or <see langword="null"/> for no token limit.</param>
    /// <param name="window">The sliding window both limits apply to; normally one minute.</param>
    /// <param name="timeProvider">The clock and timer source.</param>
    /// <param name="queueLimit">The most callers that may wait in <see cref="AcquireAsync"/> at once. Default: <see cref="DefaultQueueLimit"/>.</param>
    /// <exception cref="ArgumentException">Neither limit is set.</exception>
    public DeploymentRateLimiter(int? requestsPerMinute, int? tokensPerMinute, TimeSpan window, TimeProvider timeProvider, int queueLimit = DefaultQueueLimit)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (requestsPerMinute is null && tokensPerMinute is null)
        {
            throw new ArgumentException($"Set {nameof(requestsPerMinute)}, {nameof(tokensPerMinute)} or both; a deployment without limits needs no rate limiter.", nameof(requestsPerMinute));
        }

        if (requestsPerMinute is int rpm)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rpm, nameof(requestsPerMinute));
        }

        if (tokensPerMinute is int tpm)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tpm, nameof(tokensPerMinute));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);

        _requestsPerMinute = requestsPerMinute;
        _tokensPerMinute = tokensPerMinute;
        _timeProvider = timeProvider;
        _queueLimit = queueLimit;

        double timestampTicksPerTimeSpanTick = (double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond;
        long windowTimestampTicks = Math.Max(1, checked((long)Math.Ceiling(window.Ticks * timestampTicksPerTimeSpanTick)));
        _log = new SlidingWindowLog(windowTimestampTicks, Math.Clamp(requestsPerMinute ?? 16, 16, 1024));
        _timer = timeProvider.CreateTimer(static state => ((DeploymentRateLimiter)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Takes one request and <paramref name="estimatedTokens"/> tokens if both fit now and nobody is waiting; otherwise takes nothing.</summary>
    /// <param name="estimatedTokens">Input estimate plus reserved output; corrected later with <see cref="Reconcile"/>.</param>
    /// <returns>A granted ticket, or a refused one whose <see cref="RateLimitTicket.RetryAfter"/> says when it could fit.</returns>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public RateLimitTicket TryAcquire(long estimatedTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = _timeProvider.GetTimestamp();
            ExpireAndServeWaiters(now);
            if (_waiters.First is null && Fits(estimatedTokens))
            {
                return Admit(now, estimatedTokens);
            }

            return RateLimitTicket.Rejected(RetryAfter(now, estimatedTokens));
        }
    }

    /// <summary>
    /// Takes one request and <paramref name="estimatedTokens"/> tokens, waiting in line (first in, first out) until both fit.
    /// </summary>
    /// <param name="estimatedTokens">Input estimate plus reserved output; corrected later with <see cref="Reconcile"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the caller leaves the line and holds nothing.</param>
    /// <returns>
    /// A granted ticket; or a refused one, without waiting, when the queue limit is reached (its
    /// <see cref="RateLimitTicket.RetryAfter"/> is a lower bound).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the ticket was granted.</exception>
    /// <exception cref="ObjectDisposedException">
    /// The limiter is disposed, or was disposed while this caller waited: shutdown is reported as <see cref="ObjectDisposedException"/>,
    /// not as cancellation, so the caller can tell it from its own queue timeout.
    /// </exception>
    public ValueTask<RateLimitTicket> AcquireAsync(long estimatedTokens, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitTicket>(cancellationToken);
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = _timeProvider.GetTimestamp();
            ExpireAndServeWaiters(now);
            if (_waiters.First is null && Fits(estimatedTokens))
            {
                return new ValueTask<RateLimitTicket>(Admit(now, estimatedTokens));
            }

            if (_waiters.Count >= _queueLimit)
            {
                return new ValueTask<RateLimitTicket>(RateLimitTicket.Rejected(RetryAfter(now, estimatedTokens)));
            }

            var waiter = new Waiter(this, estimatedTokens, cancellationToken);
            waiter.Node = _waiters.AddLast(waiter);
            if (_waiters.Count == 1)
            {
                ArmTimer(now);
            }

            // Registered last, under the lock: if the token fires right now, the callback runs inline and re-enters the
            // (recursive) lock after the waiter is fully queued. Elsewhere the registration is only Unregister()ed, which,
            // unlike Dispose(), never waits for a running callback that may itself be waiting for this lock.
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(static state => ((Waiter)state!).Cancel(), waiter);
            }

            return new ValueTask<RateLimitTicket>(waiter.Task);
        }
    }

    /// <summary>
    /// Replaces a granted ticket's token estimate with the tokens actually used, so the window holds real usage. Lowering it
    /// lets waiting callers in; raising it keeps later callers out for longer.
    /// </summary>
    /// <remarks>
    /// The entry keeps its admission time. A ticket whose entry has already left the window, a refused ticket and any call
    /// after <see cref="Dispose"/> are ignored, so the caller can always report usage.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="ticket"/> was granted by another limiter.</exception>
    public void Reconcile(RateLimitTicket ticket, long actualTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        if (!ticket.Acquired)
        {
            return;
        }

        if (ticket.LimiterId != _id)
        {
            throw new ArgumentException("The ticket was granted by another rate limiter; reconcile it with the limiter that granted it.", nameof(ticket));
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            long now = _timeProvider.GetTimestamp();
            _log.Expire(now);
            if (_log.TrySetTokens(ticket.Sequence, actualTokens, out long previousTokens) && actualTokens < previousTokens)
            {
                ServeWaiters(now);
            }
        }
    }

    /// <summary>Stops the timer and fails every waiting <see cref="AcquireAsync"/> call with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            foreach (Waiter waiter in _waiters)
            {
                waiter.Registration.Unregister();
                waiter.TrySetException(new ObjectDisposedException(nameof(DeploymentRateLimiter)));
            }

            _waiters.Clear();
        }
    }

    private bool Fits(long estimatedTokens) =>
        (_requestsPerMinute is not int rpm || _log.Count < rpm) &&
        (_tokensPerMinute is not int tpm || _log.Tokens + Math.Min(estimatedTokens, tpm) <= tpm);

    private RateLimitTicket Admit(long now, long estimatedTokens) => RateLimitTicket.Granted(_id, _log.Add(now, estimatedTokens));

    /// <summary>The earliest timestamp at which a request of <paramref name="estimatedTokens"/> fits, if nothing more is admitted.</summary>
    private long FitsAt(long now, long estimatedTokens)
    {
        int maxCount = _requestsPerMinute is int rpm ? rpm - 1 : int.MaxValue;
        long maxTokens = _tokensPerMinute is int tpm ? tpm - Math.Min(estimatedTokens, tpm) : long.MaxValue;
        return Math.Max(now, _log.EarliestTimeWithin(maxCount, maxTokens));
    }

    private TimeSpan RetryAfter(long now, long estimatedTokens)
    {
        long at = FitsAt(now, estimatedTokens);

        // Those already waiting go first, so this request cannot fit before the first of them does.
        if (_waiters.First is { } first)
        {
            at = Math.Max(at, FitsAt(now, first.Value.EstimatedTokens));
        }

        return _timeProvider.GetElapsedTime(now, at);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _timerDue = long.MaxValue;
            ExpireAndServeWaiters(_timeProvider.GetTimestamp());
        }
    }

    private void ExpireAndServeWaiters(long now)
    {
        _log.Expire(now);
        if (_waiters.First is not null)
        {
            ServeWaiters(now);
        }
    }

    /// <summary>Admits waiters from the front of the line while they fit, then sets the timer for the next one.</summary>
    private void ServeWaiters(long now)
    {
        while (_waiters.First is { } node && Fits(node.Value.EstimatedTokens))
        {
            _waiters.RemoveFirst();
            Waiter waiter = node.Value;
            waiter.Registration.Unregister();

            // Completion runs continuations asynchronously (see Waiter), so nothing of the caller's runs under this lock.
            waiter.TrySetResult(Admit(now, waiter.EstimatedTokens));
        }

        ArmTimer(now);
    }

    private void ArmTimer(long now)
    {
        if (_waiters.First is not { } first)
        {
            if (_timerDue != long.MaxValue)
            {
                _timerDue = long.MaxValue;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            return;
        }

        long due = FitsAt(now, first.Value.EstimatedTokens);
        if (due == _timerDue)
        {
            return;
        }

        _timerDue = due;

        // Rounded up to whole milliseconds: system timers truncate to milliseconds, and firing early would only re-arm.
        long dueTicks = _timeProvider.GetElapsedTime(now, due).Ticks;
        long dueMilliseconds = Math.Max(1, (dueTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
        _timer.Change(TimeSpan.FromMilliseconds(dueMilliseconds), Timeout.InfiniteTimeSpan);
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                // Already admitted, cancelled or failed by Dispose.
                return;
            }

            bool wasFirst = _waiters.First == waiter.Node;
            _waiters.Remove(waiter.Node);
            waiter.TrySetCanceled(waiter.CancellationToken);

            // The next in line may fit where the cancelled one did not.
            if (wasFirst)
            {
                ExpireAndServeWaiters(_timeProvider.GetTimestamp());
            }
        }
    }

    /// <summary>One caller waiting in <see cref="AcquireAsync"/>.</summary>
    private sealed class Waiter(DeploymentRateLimiter limiter, long estimatedTokens, CancellationToken cancellationToken)
        : TaskCompletionSource<RateLimitTicket>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long EstimatedTokens { get; } = estimatedTokens;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel() => limiter.Cancel(this);
    }
}
