using Allos.Gateway;
using Allos.Tests.Shared;

namespace Allos.Tests.Gateway;

public sealed class DeploymentRateLimiterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly TimerCountingTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryAcquire_FiftyConcurrentCallers_ExactlyRpmSucceed()
    {
        using var limiter = new DeploymentRateLimiter(10, null, Window, _time);
        using var start = new Barrier(50);
        var results = new RateLimitTicket[50];

        // Dedicated threads, released together: the thread pool would add 50 workers only slowly.
        Thread[] threads = [.. Enumerable.Range(0, 50).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = limiter.TryAcquire(0);
        }))];
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());

        results.Count(r => r.Acquired).ShouldBe(10);
        results.Where(r => !r.Acquired).ShouldAllBe(r => r.RetryAfter == Window);
    }

    [Fact]
    public void TryAcquire_AfterWindowPasses_Replenishes()
    {
        using var limiter = new DeploymentRateLimiter(2, null, Window, _time);
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        limiter.TryAcquire(0).Acquired.ShouldBeFalse();

        _time.Advance(Window - TimeSpan.FromTicks(1));
        limiter.TryAcquire(0).Acquired.ShouldBeFalse();

        _time.Advance(TimeSpan.FromTicks(1));
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        limiter.TryAcquire(0).Acquired.ShouldBeFalse();
    }

    [Fact]
    public void TryAcquire_WindowSlides_FreesOnlyRequestsOlderThanTheWindow()
    {
        using var limiter = new DeploymentRateLimiter(2, null, Window, _time);
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(30));
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();

        // At 60 s only the first request has left the window: a fixed window would hand out two here.
        _time.Advance(TimeSpan.FromSeconds(30));
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        RateLimitTicket refused = limiter.TryAcquire(0);

        refused.Acquired.ShouldBeFalse();
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void TryAcquire_RpmExhausted_RetryAfterIsWhenTheOldestRequestLeaves()
    {
        using var limiter = new DeploymentRateLimiter(2, null, Window, _time);
        limiter.TryAcquire(0);
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.TryAcquire(0);
        _time.Advance(TimeSpan.FromSeconds(10));

        RateLimitTicket refused = limiter.TryAcquire(0);

        refused.Acquired.ShouldBeFalse();
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(40));
        _time.Advance(TimeSpan.FromSeconds(40));
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_TpmExhausted_RetryAfterIsWhenEnoughTokensLeave()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(300);
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.TryAcquire(300);
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.TryAcquire(300);

        // 900 in the window; 500 more needs the first two entries (600 tokens) gone, the second leaves at 70 s.
        RateLimitTicket refused = limiter.TryAcquire(500);

        refused.Acquired.ShouldBeFalse();
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(50));
        limiter.TryAcquire(100).Acquired.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_BothLimitsShort_RetryAfterIsTheLaterOfTheTwo()
    {
        using var limiter = new DeploymentRateLimiter(2, 1000, Window, _time);
        limiter.TryAcquire(100);
        _time.Advance(TimeSpan.FromSeconds(20));
        limiter.TryAcquire(800);

        // The request limit frees 40 s from now, but 500 tokens only fit once the 800 leave, 60 s from now.
        RateLimitTicket refused = limiter.TryAcquire(500);

        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void TryAcquire_RequestPermitFreeButTokensShort_TakesNothing()
    {
        using var limiter = new DeploymentRateLimiter(2, 100, Window, _time);
        limiter.TryAcquire(90).Acquired.ShouldBeTrue();

        limiter.TryAcquire(20).Acquired.ShouldBeFalse();

        // Had the refused call kept its request permit, this one would be the third request in the window.
        limiter.TryAcquire(10).Acquired.ShouldBeTrue();
        limiter.TryAcquire(0).Acquired.ShouldBeFalse();
    }

    [Fact]
    public async Task AcquireAsync_TokenReservationsOutstanding_WaitsUntilTheyExpire()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(600).Acquired.ShouldBeTrue();
        limiter.TryAcquire(500).Acquired.ShouldBeFalse();

        Task<RateLimitTicket> waiting = limiter.AcquireAsync(500).AsTask();
        _time.Advance(Window - TimeSpan.FromSeconds(1));
        waiting.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));

        await ShouldBeGrantedAsync(waiting);
        limiter.TryAcquire(501).Acquired.ShouldBeFalse();
        limiter.TryAcquire(500).Acquired.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_RoomAvailable_CompletesSynchronously()
    {
        using var limiter = new DeploymentRateLimiter(1, 100, Window, _time);

        ValueTask<RateLimitTicket> acquire = limiter.AcquireAsync(50);

        acquire.IsCompletedSuccessfully.ShouldBeTrue();
        (await acquire).Acquired.ShouldBeTrue();
        _time.ArmedTimers.ShouldBe(0);
    }

    [Fact]
    public async Task AcquireAsync_QueuedCallers_ReleasedInOrderAsTimeAdvances()
    {
        using var limiter = new DeploymentRateLimiter(1, null, Window, _time);
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
        Task<RateLimitTicket>[] waiting = [.. Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync(0).AsTask())];

        for (int released = 1; released <= 3; released++)
        {
            _time.Advance(Window);

            waiting.Select(t => t.IsCompleted).ShouldBe(Enumerable.Range(0, 3).Select(i => i < released));
            await ShouldBeGrantedAsync(waiting[released - 1]);
        }

        _time.ArmedTimers.ShouldBe(0);
    }

    [Fact]
    public async Task AcquireAsync_SmallRequestBehindLargeOne_DoesNotOvertake()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(900);
        _time.Advance(TimeSpan.FromSeconds(30));
        limiter.TryAcquire(50);

        Task<RateLimitTicket> large = limiter.AcquireAsync(800).AsTask();
        Task<RateLimitTicket> small = limiter.AcquireAsync(50).AsTask();

        // 50 would fit beside 950, but the large request is first in line.
        small.IsCompleted.ShouldBeFalse();
        limiter.TryAcquire(10).Acquired.ShouldBeFalse();

        _time.Advance(TimeSpan.FromSeconds(30));

        await ShouldBeGrantedAsync(large);
        await ShouldBeGrantedAsync(small);
    }

    [Fact]
    public async Task AcquireAsync_WaiterCancelled_LeavesTheLineAndTheNextOneProceeds()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(900);
        using var cancel = new CancellationTokenSource();
        Task<RateLimitTicket> large = limiter.AcquireAsync(800, cancel.Token).AsTask();
        Task<RateLimitTicket> small = limiter.AcquireAsync(50).AsTask();

        await cancel.CancelAsync();

        large.IsCanceled.ShouldBeTrue();
        await Should.ThrowAsync<OperationCanceledException>(large);
        await ShouldBeGrantedAsync(small);

        // The cancelled caller took nothing: 900 + 50 leaves exactly 50.
        limiter.TryAcquire(50).Acquired.ShouldBeTrue();
        limiter.TryAcquire(1).Acquired.ShouldBeFalse();
    }

    [Fact]
    public async Task AcquireAsync_MiddleWaiterCancelled_IsSkippedWhenTimeAdvances()
    {
        using var limiter = new DeploymentRateLimiter(1, null, Window, _time);
        limiter.TryAcquire(0);
        using var cancel = new CancellationTokenSource();
        Task<RateLimitTicket> first = limiter.AcquireAsync(0).AsTask();
        Task<RateLimitTicket> cancelled = limiter.AcquireAsync(0, cancel.Token).AsTask();
        Task<RateLimitTicket> third = limiter.AcquireAsync(0).AsTask();

        await cancel.CancelAsync();
        _time.Advance(Window);
        await ShouldBeGrantedAsync(first);
        _time.Advance(Window);

        await ShouldBeGrantedAsync(third);
        cancelled.IsCanceled.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_TokenAlreadyCancelled_ThrowsWithoutTakingAnything()
    {
        using var limiter = new DeploymentRateLimiter(1, null, Window, _time);

        await Should.ThrowAsync<OperationCanceledException>(limiter.AcquireAsync(0, new CancellationToken(canceled: true)).AsTask());

        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_QueueLimitReached_ReturnsRefusedTicketWithoutWaiting()
    {
        using var limiter = new DeploymentRateLimiter(1, null, Window, _time, queueLimit: 1);
        limiter.TryAcquire(0);
        _ = limiter.AcquireAsync(0);

        ValueTask<RateLimitTicket> overflow = limiter.AcquireAsync(0);

        overflow.IsCompleted.ShouldBeTrue();
        RateLimitTicket ticket = await overflow;
        ticket.Acquired.ShouldBeFalse();
        ticket.RetryAfter.ShouldBe(Window);
    }

    [Fact]
    public void TryAcquire_CallersWaiting_RefusesEvenWhenItWouldFit()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(900);
        _time.Advance(TimeSpan.FromSeconds(15));
        _ = limiter.AcquireAsync(500);

        RateLimitTicket ticket = limiter.TryAcquire(10);

        ticket.Acquired.ShouldBeFalse();
        ticket.RetryAfter.ShouldBe(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public async Task Reconcile_ActualBelowEstimate_FreesRoomAndWakesWaiter()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        RateLimitTicket first = limiter.TryAcquire(800);
        Task<RateLimitTicket> waiting = limiter.AcquireAsync(500).AsTask();
        waiting.IsCompleted.ShouldBeFalse();

        limiter.Reconcile(first, 300);

        await ShouldBeGrantedAsync(waiting);
        limiter.TryAcquire(200).Acquired.ShouldBeTrue();
        limiter.TryAcquire(1).Acquired.ShouldBeFalse();
    }

    [Fact]
    public void Reconcile_ActualAboveEstimate_ConsumesMoreRoom()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        RateLimitTicket ticket = limiter.TryAcquire(200);

        limiter.Reconcile(ticket, 900);

        limiter.TryAcquire(101).Acquired.ShouldBeFalse();
        limiter.TryAcquire(100).Acquired.ShouldBeTrue();
    }

    [Fact]
    public void Reconcile_EntryAlreadyLeftTheWindow_ChangesNothing()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        RateLimitTicket old = limiter.TryAcquire(100);
        _time.Advance(Window);
        limiter.TryAcquire(1000).Acquired.ShouldBeTrue();

        limiter.Reconcile(old, 0);

        limiter.TryAcquire(1).Acquired.ShouldBeFalse();
    }

    [Fact]
    public void Reconcile_TicketFromAnotherLimiter_Throws()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        using var other = new DeploymentRateLimiter(null, 1000, Window, _time);
        RateLimitTicket foreign = other.TryAcquire(10);

        Should.Throw<ArgumentException>(() => limiter.Reconcile(foreign, 5));
    }

    [Fact]
    public void Reconcile_RefusedTicket_IsIgnored()
    {
        using var limiter = new DeploymentRateLimiter(null, 100, Window, _time);
        limiter.TryAcquire(100);
        RateLimitTicket refused = limiter.TryAcquire(50);

        limiter.Reconcile(refused, 0);

        limiter.TryAcquire(1).Acquired.ShouldBeFalse();
    }

    [Fact]
    public void TryAcquire_EstimateAboveTpm_AdmittedAloneInAnEmptyWindow()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);

        limiter.TryAcquire(5000).Acquired.ShouldBeTrue();

        // It holds the whole window until it leaves.
        RateLimitTicket next = limiter.TryAcquire(0);
        next.Acquired.ShouldBeFalse();
        next.RetryAfter.ShouldBe(Window);
        _time.Advance(Window);
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();
    }

    [Fact]
    public void TryAcquire_EstimateAboveTpm_RefusedWhileOtherTokensAreInTheWindow()
    {
        using var limiter = new DeploymentRateLimiter(null, 1000, Window, _time);
        limiter.TryAcquire(10);
        _time.Advance(TimeSpan.FromSeconds(20));

        RateLimitTicket oversized = limiter.TryAcquire(5000);

        oversized.Acquired.ShouldBeFalse();
        oversized.RetryAfter.ShouldBe(TimeSpan.FromSeconds(40));
        _time.Advance(TimeSpan.FromSeconds(40));
        limiter.TryAcquire(5000).Acquired.ShouldBeTrue();
    }

    [Fact]
    public async Task Dispose_CallersWaiting_FailsThemWithObjectDisposedException()
    {
        var limiter = new DeploymentRateLimiter(1, null, Window, _time);
        limiter.TryAcquire(0);
        Task<RateLimitTicket> waiting = limiter.AcquireAsync(0, CancellationToken.None).AsTask();

        limiter.Dispose();

        waiting.IsFaulted.ShouldBeTrue();
        await Should.ThrowAsync<ObjectDisposedException>(waiting);
        Should.Throw<ObjectDisposedException>(() => limiter.TryAcquire(0));
        Should.Throw<ObjectDisposedException>(() => limiter.AcquireAsync(0));
        _time.ArmedTimers.ShouldBe(0);
    }

    [Fact]
    public async Task AcquireAsync_ManyConcurrentCallers_ServedRpmPerWindowUntilAllDone()
    {
        using var limiter = new DeploymentRateLimiter(5, null, Window, _time);
        using var cancel = new CancellationTokenSource();
        var callers = new Task<RateLimitTicket>[40];

        Parallel.For(0, callers.Length, i => callers[i] = limiter.AcquireAsync(0, i % 4 == 3 ? cancel.Token : CancellationToken.None).AsTask());
        callers.Count(c => c.IsCompletedSuccessfully).ShouldBe(5);
        await cancel.CancelAsync();

        // Ten callers had the token; those not among the first five admitted have left the line.
        int cancelled = callers.Count(c => c.IsCanceled);
        cancelled.ShouldBeInRange(5, 10);
        for (int window = 1; callers.Any(c => !c.IsCompleted); window++)
        {
            window.ShouldBeLessThan(10);
            _time.Advance(Window);
            callers.Count(c => c.IsCompletedSuccessfully).ShouldBe(Math.Min(5 * (window + 1), callers.Length - cancelled));
        }

        callers.Where(c => !c.IsCanceled).ShouldAllBe(c => c.Result.Acquired);
    }

    [Fact]
    public void Constructor_NoLimits_Throws()
    {
        Should.Throw<ArgumentException>(() => new DeploymentRateLimiter(null, null, Window, _time));
        Should.Throw<ArgumentOutOfRangeException>(() => new DeploymentRateLimiter(0, null, Window, _time));
        Should.Throw<ArgumentOutOfRangeException>(() => new DeploymentRateLimiter(null, -1, Window, _time));
        Should.Throw<ArgumentOutOfRangeException>(() => new DeploymentRateLimiter(1, null, TimeSpan.Zero, _time));
    }

    [Fact]
    public async Task AcquireAsync_SystemClockShortWindow_WakesWithoutTheCallerPolling()
    {
        using var limiter = new DeploymentRateLimiter(1, null, TimeSpan.FromMilliseconds(50), TimeProvider.System);
        limiter.TryAcquire(0).Acquired.ShouldBeTrue();

        RateLimitTicket ticket = await limiter.AcquireAsync(0).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        ticket.Acquired.ShouldBeTrue();
    }

    // Grants complete the caller's task synchronously (during Advance, Reconcile or a cancellation), so a missing wake-up
    // fails here instead of hanging the test.
    private static async Task ShouldBeGrantedAsync(Task<RateLimitTicket> acquire)
    {
        acquire.IsCompletedSuccessfully.ShouldBeTrue();
        (await acquire).Acquired.ShouldBeTrue();
    }
}
