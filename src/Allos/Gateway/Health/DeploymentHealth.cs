namespace Allos.Gateway;

/// <summary>
/// The health of one deployment: its recent failures, its cooldown (after too many failures within a window, it is skipped
/// for a while, then one request probes it) and a provider's retry-after. Shared by the Router and the cooldown layer.
/// </summary>
/// <remarks>Thread-safe: every field is read with volatile operations and written under a lock.</remarks>
internal sealed class DeploymentHealth(int failures, TimeSpan window, TimeSpan duration)
{
    private readonly Lock _gate = new();
    private readonly long[] _failures = new long[Math.Max(1, failures)];
    private int _failureCount;
    private int _failureNext;
    private long _cooldownUntil;
    private long _retryAfterUntil;
    private int _probing;

    /// <summary>Gets how long a deployment is skipped once cooled down.</summary>
    public TimeSpan Duration => duration;

    /// <summary>Gets the end of the current or last cooldown in UTC ticks, 0 when none is running or awaiting its probe.</summary>
    public long CooldownUntil => Volatile.Read(ref _cooldownUntil);

    /// <summary>Returns when the deployment can take a request again (0 when it can now), and whether the wait comes from a provider's retry-after.</summary>
    public long UnavailableUntil(long now, out bool retryAfter)
    {
        long waitRetry = Volatile.Read(ref _retryAfterUntil);
        long cooldown = Volatile.Read(ref _cooldownUntil);
        retryAfter = waitRetry > now && waitRetry >= cooldown;
        if (waitRetry > now || cooldown > now)
        {
            return Math.Max(waitRetry, cooldown);
        }

        // Cooldown over: one request at a time probes it until one succeeds.
        return cooldown != 0 && Volatile.Read(ref _probing) != 0 ? long.MaxValue : 0;
    }

    /// <summary>Marks the start of an attempt. Returns whether it is the probe after a cooldown.</summary>
    public bool Begin(long now)
    {
        long cooldown = Volatile.Read(ref _cooldownUntil);
        return cooldown != 0 && cooldown <= now && Interlocked.CompareExchange(ref _probing, 1, 0) == 0;
    }

    /// <summary>Records a successful attempt: a successful probe ends the cooldown.</summary>
    public void Succeeded(bool probe)
    {
        if (probe || Volatile.Read(ref _cooldownUntil) != 0)
        {
            lock (_gate)
            {
                _failureCount = 0;
                _cooldownUntil = 0;
                _probing = 0;
            }
        }
    }

    /// <summary>Records a failed attempt. Counts it toward a cooldown when <paramref name="countsAgainst"/> (the deployment, not the request, is at fault).</summary>
    /// <returns>Whether this failure started a cooldown.</returns>
    public bool Failed(bool probe, long now, bool countsAgainst, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            if (retryAfter is TimeSpan wait && wait > TimeSpan.Zero)
            {
                _retryAfterUntil = Math.Max(_retryAfterUntil, now + wait.Ticks);
            }

            if (probe)
            {
                _probing = 0;
                if (countsAgainst)
                {
                    _cooldownUntil = now + duration.Ticks;
                    return true;
                }
            }

            if (!countsAgainst || failures <= 0)
            {
                return false;
            }

            _failures[_failureNext] = now;
            _failureNext = (_failureNext + 1) % _failures.Length;
            _failureCount = Math.Min(_failureCount + 1, _failures.Length);

            // The ring holds the last N failures; the oldest is at the next write position once it is full.
            long oldest = _failures[_failureNext];
            if (_failureCount == _failures.Length && now - oldest <= window.Ticks)
            {
                _cooldownUntil = now + duration.Ticks;
                _failureCount = 0;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Cools the deployment down until <paramref name="until"/> (UTC ticks) because another process did (see
    /// <see cref="ISharedCooldowns"/>). Never shortens a cooldown and takes no probe: when it ends, the first request here
    /// probes as after a cooldown of its own. A probe in flight is left to finish; its success ends this cooldown too.
    /// </summary>
    /// <returns>Whether the cooldown was extended (<see langword="false"/> when one at least as long was running).</returns>
    public bool CoolDownUntil(long until)
    {
        lock (_gate)
        {
            if (until <= _cooldownUntil)
            {
                return false;
            }

            _cooldownUntil = until;

            // As for a cooldown started here: failures before it do not count toward the next one.
            _failureCount = 0;
            return true;
        }
    }

    /// <summary>Ends an attempt that neither succeeded nor failed (cancelled by the caller).</summary>
    public void Abandoned(bool probe)
    {
        if (probe)
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
