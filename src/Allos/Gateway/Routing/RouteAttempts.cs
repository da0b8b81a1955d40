using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Allos.Gateway;

/// <summary>
/// The Router's attempts at one request: deployment selection, retries within a group, fallback to other groups, and each
/// attempt's share of the deployment's rate limit, the budgets, its health and its timeout.
/// </summary>
/// <remarks>
/// Retries stay here rather than in an outer retry layer because they move across deployments: a retry prefers a deployment
/// not yet tried, a failure only another deployment can answer uses no retry, and a fallback group starts its own count.
/// </remarks>
internal sealed class RouteAttempts(RouterOptions options, BudgetLedger budgets, CallRecorder recorder, ILogger logger, Func<string, RouteGroup> groups)
{
    private readonly Func<string, RouteGroup> _groups = groups;
    private readonly RouterOptions _options = options;
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly BudgetLedger _budgets = budgets;
    private readonly CallRecorder _recorder = recorder;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Runs attempts until one succeeds: picks a deployment, takes its rate-limit and budget share, calls it, and on failure
    /// retries, moves to another deployment or to a fallback group, as the failure's kind says (<see cref="RouteCursor"/>).
    /// On return, <see cref="RouteRequest.Deployment"/> holds the attempt that succeeded, still open (in flight, reserved).
    /// </summary>
    public async Task<TResult> RouteAsync<TResult>(RouteRequest request, Func<RouteRequest, CancellationToken, Task<TResult>> attempt, CancellationToken cancellationToken)
    {
        var cursor = new RouteCursor(request, _options, _groups);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long now = UtcTicks;
            RateLimitTicket ticket = default;
            DeploymentState? deployment = cursor.Select(now, out DeploymentState? soonest, out long soonestUntil, out bool soonestIsRetryAfter);
            if (deployment is null && cursor.TakeLimited() is { } limited)
            {
                // Every usable deployment of the group is at its RPM/TPM limit: wait in line for the first one found.
                ticket = await QueueAsync(limited, request, cancellationToken).ConfigureAwait(false);
                if (ticket.Acquired)
                {
                    deployment = limited;
                }
                else
                {
                    cursor.QueueTimedOut(LocalRateLimit(limited, ticket.RetryAfter));
                }
            }
            else if (deployment is null && soonest is not null && soonestIsRetryAfter && cursor.CanWait(soonestUntil - now))
            {
                // The provider asked for a pause it will soon be over: waiting beats giving up.
                await Delay(soonestUntil - now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (deployment is null)
            {
                if (cursor.TryFallBack(out RouteGroup from))
                {
                    _logger.Fallback(from.Alias, cursor.Group.Alias, cursor.LastKind);
                    continue;
                }

                deployment = cursor.LastResort();
            }

            await Delay(cursor.RetryWait(deployment, now), cancellationToken).ConfigureAwait(false);
            if (deployment.Limiter is not null && !ticket.Acquired)
            {
                ticket = deployment.Limiter.TryAcquire(request.TokenAllowance(deployment));
                if (!ticket.Acquired)
                {
                    cursor.SkipLimited(deployment);
                    continue;
                }
            }

            await ReserveAsync(request, deployment, ticket, cursor.Group, cancellationToken).ConfigureAwait(false);
            cursor.Started();
            request.Deployment = deployment;
            request.Ticket = ticket;
            request.AttemptStart = _time.GetTimestamp();
            request.Probe = deployment.Begin(UtcTicks);
            TimeoutScope? attemptSource = deployment.Deployment.Timeout is TimeSpan limit ? new TimeoutScope(limit, _time, cancellationToken) : null;

            try
            {
                TResult result = await attempt(request, attemptSource?.Token ?? cancellationToken).ConfigureAwait(false);
                request.AttemptSource = attemptSource;
                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                attemptSource?.Dispose();
                deployment.Abandoned(request.Probe);
                Release(request, deployment, null, null);
                request.Deployment = null;
                throw;
            }
            catch (Exception ex)
            {
                await FailedAsync(request, cursor, deployment, ex, attemptSource, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes the budget share of an attempt; a refusal gives the rate-limit share back and is logged.</summary>
    private async ValueTask ReserveAsync(RouteRequest request, DeploymentState deployment, RateLimitTicket ticket, RouteGroup group, CancellationToken cancellationToken)
    {
        if (_budgets.IsEmpty)
        {
            request.Hold = default;
            return;
        }

        try
        {
            request.Hold = await _budgets.ReserveAsync(request.Alias, request.UserKey, request.SessionId, request.MaximumCost(deployment), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            deployment.Limiter?.Reconcile(ticket, 0);
            if (ex is BudgetExceededException refused)
            {
                _logger.BudgetRefused(group.Alias, refused.Budget.Scope, refused.Budget.Period, refused.Budget.Limit, refused.Remaining, refused.EstimatedCost);
            }

            throw;
        }
    }

    /// <summary>
    /// Ends a failed attempt: names a deployment timeout as such, counts the failure toward the deployment's cooldown,
    /// gives its shares back, records it, and lets the cursor decide what follows (throwing when nothing does).
    /// </summary>
    private async ValueTask FailedAsync(RouteRequest request, RouteCursor cursor, DeploymentState deployment, Exception ex, TimeoutScope? attemptSource, CancellationToken cancellationToken)
    {
        Exception error = attemptSource?.TimedOut == true && ex is OperationCanceledException
            ? new ProviderTimeoutException(deployment.Provider, $"Deployment '{deployment.Name}' did not answer within its timeout of {deployment.Deployment.Timeout}.", innerException: ex)
            : ex;
        attemptSource?.Dispose();
        FailureKind kind = FailureKinds.Classify(error);
        TimeSpan? retryAfter = (error as RateLimitException)?.RetryAfter;
        bool honoured = retryAfter is TimeSpan wait && wait <= _options.MaxRetryAfter;
        if (deployment.Failed(request.Probe, UtcTicks, kind is FailureKind.Transient or FailureKind.Deployment, honoured ? retryAfter : null))
        {
            _logger.Cooldown(deployment.Name, cursor.Group.Alias, _options.CooldownDuration.TotalSeconds, error.GetType().Name);
        }

        Release(request, deployment, null, null);
        request.Deployment = null;
        request.LastDeployment = deployment;
        _recorder.AttemptFailed(request, deployment, error);
        if (cursor.Failed(deployment, error, kind, retryAfter, honoured, UtcTicks) is TimeSpan delay)
        {
            _logger.Retry(cursor.Group.Alias, deployment.Name, cursor.GroupRetries, delay.TotalMilliseconds, error.GetType().Name);
            if (_options.OnRetry is { } onRetry)
            {
                await onRetry(new OnRetryArguments(cursor.GroupRetries - 1, error, delay, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<RateLimitTicket> QueueAsync(DeploymentState deployment, RouteRequest request, CancellationToken cancellationToken)
    {
        long tokens = request.TokenAllowance(deployment);
        if (_options.RateLimitQueueTimeout <= TimeSpan.Zero)
        {
            return deployment.Limiter!.TryAcquire(tokens);
        }

        using var wait = new TimeoutScope(_options.RateLimitQueueTimeout, _time, cancellationToken);
        try
        {
            return await deployment.Limiter!.AcquireAsync(tokens, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return deployment.Limiter!.TryAcquire(tokens);
        }
    }

    private RateLimitException LocalRateLimit(DeploymentState deployment, TimeSpan? retryAfter)
    {
        string waited = _options.RateLimitQueueTimeout > TimeSpan.Zero ? $" after waiting {_options.RateLimitQueueTimeout.TotalSeconds:0.#} s" : string.Empty;
        string limits = string.Join(" and ", new[]
        {
            deployment.Deployment.RequestsPerMinute is int rpm ? $"{rpm} requests" : null,
            deployment.Deployment.TokensPerMinute is int tpm ? $"{tpm} tokens" : null,
        }.Where(limit => limit is not null));
        return new RateLimitException(
            deployment.Provider,
            $"Deployment '{deployment.Name}' is at its limit of {limits} per minute{waited}. " +
            "Raise its rpm/tpm, add deployments, or set RateLimitQueueTimeout to wait longer.",
            retryAfter,
            errorCode: "router_rate_limited");
    }

    public void Release(RouteRequest request, DeploymentState deployment, UsageDetails? usage, decimal? cost)
    {
        _budgets.Settle(request.Hold, cost);
        request.Hold = default;
        if (deployment.Limiter is not null)
        {
            long used = usage?.TotalTokenCount ?? ((usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0));
            deployment.Limiter.Reconcile(request.Ticket, usage is null ? request.InputTokens : used);
            request.Ticket = default;
        }
    }

    private Task Delay(long ticks, CancellationToken cancellationToken) =>
        ticks <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(ticks), _time, cancellationToken);

    public long UtcTicks => _time.GetUtcNow().UtcTicks;
}
