namespace Allos.Gateway;
internal sealed class DeploymentRateLimiter : IDisposable
{
    public DeploymentRateLimiter(int? requestsPerMinute, int? tokensPerMinute, TimeSpan window, TimeProvider timeProvider) { }
    public RateLimitTicket TryAcquire(long estimatedTokens) => new() { Acquired = true };
    public ValueTask<RateLimitTicket> AcquireAsync(long estimatedTokens, CancellationToken cancellationToken) => ValueTask.FromResult(new RateLimitTicket { Acquired = true });
    public void Reconcile(RateLimitTicket ticket, long actualTokens) { }
    public void Dispose() { }
}
internal readonly struct RateLimitTicket { public bool Acquired { get; init; } public TimeSpan? RetryAfter { get; init; } }
