using System.Runtime.ExceptionServices;
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
    private readonly RouterOptions _options = options;
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly BudgetLedger _budgets = budgets;
    private readonly CallRecorder _recorder = recorder;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Runs attempts until one succeeds: picks a deployment, takes its rate-limit and budget share, calls it, and on failure
    /// retries, moves to another deployment or to a fallback group, as the failure's kind says.
    /// On return, <see cref="RouteRequest.Deployment"/> holds the attempt that succeeded, still open (in flight, reserved).
    /// </summary>
    public async Task<TResult> RouteAsync<TResult>(RouteRequest request, Func<RouteRequest, CancellationToken, Task<TResult>> attempt, CancellationToken cancellationToken)
    {
        RouteGroup group = request.Group;
        ulong tried = 0;
        ulong excluded = 0;
        int groupRetries = 0;
        bool retrying = false;
        long retryAt = 0;
        FailureKind lastKind = FailureKind.Transient;
        ExceptionDispatchInfo? last = null;
        HashSet<string>? visited = null;
        bool attempted = false;
        DeploymentState? limited = null;
        DeploymentState? coolestPrimary = null;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long now = UtcTicks;
            RateLimitTicket ticket = default;
            DeploymentState? deployment = DeploymentSelector.Select(
                group, request, excluded, tried, now, out DeploymentState? soonest, out long soonestUntil, out bool soonestIsRetryAfter);
            if (ReferenceEquals(group, request.Group) && soonest is not null && !soonestIsRetryAfter)
            {
                coolestPrimary ??= soonest;
            }

            if (deployment is null && limited is not null)
            {
                // Every usable deployment of the group is at its RPM/TPM limit: wait in line for the first one found.
                DeploymentState target = limited;
                limited = null;
                ticket = await QueueAsync(target, request, cancellationToken).ConfigureAwait(false);
                if (ticket.Acquired)
                {
                    deployment = target;
                }
                else
                {
                    last = ExceptionDispatchInfo.Capture(LocalRateLimit(target, ticket.RetryAfter));
                    lastKind = FailureKind.Transient;
                }
            }
            else if (deployment is null && soonest is not null && soonestIsRetryAfter
                && soonestUntil - now <= _options.MaxRetryAfter.Ticks && groupRetries <= _options.MaxRetries)
            {
                // The provider asked for a pause it will soon be over: waiting beats giving up.
                await Delay(soonestUntil - now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (deployment is null)
            {
                if (NextFallback(request, lastKind, ref visited) is RouteGroup next)
                {
                    _logger.Fallback(group.Alias, next.Alias, lastKind);
                    group = next;
                    tried = excluded = 0;
                    groupRetries = 0;
                    retrying = false;
                    retryAt = 0;
                    request.Fallbacks++;
                    continue;
                }

                // Cooldowns protect a failing deployment from load, but never fail a request that was not even tried.
                if (!attempted && coolestPrimary is not null)
                {
                    deployment = coolestPrimary;
                    group = request.Group;
                }
                else
                {
                    last?.Throw();
                    throw new AllosException($"No deployment of '{request.Alias}' can take the request now.");
                }
            }

            ulong bit = 1UL << deployment.Index;
            if ((tried & bit) != 0 && retryAt > now)
            {
                await Delay(retryAt - now, cancellationToken).ConfigureAwait(false);
            }

            if (deployment.Limiter is not null && !ticket.Acquired)
            {
                ticket = deployment.Limiter.TryAcquire(request.TokenAllowance(deployment));
                if (!ticket.Acquired)
                {
                    limited ??= deployment;
                    excluded |= bit;
                    continue;
                }
            }

            try
            {
                request.Hold = _budgets.IsEmpty ? default
                    : await _budgets.ReserveAsync(request.Alias, request.UserKey, request.SessionId, request.MaximumCost(deployment), cancellationToken).ConfigureAwait(false);
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

            attempted = true;
            if (retrying)
            {
                request.Retries++;
                retrying = false;
            }

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
                Exception error = attemptSource?.TimedOut == true && ex is OperationCanceledException
                    ? new ProviderTimeoutException(deployment.Provider, $"Deployment '{deployment.Name}' did not answer within its timeout of {deployment.Deployment.Timeout}.", innerException: ex)
                    : ex;
                attemptSource?.Dispose();
                FailureKind kind = FailureKinds.Classify(error);
                TimeSpan? retryAfter = (error as RateLimitException)?.RetryAfter;
                bool honoured = retryAfter is TimeSpan wait && wait <= _options.MaxRetryAfter;
                if (deployment.Failed(request.Probe, UtcTicks, kind is FailureKind.Transient or FailureKind.Deployment, honoured ? retryAfter : null))
                {
                    _logger.Cooldown(deployment.Name, group.Alias, _options.CooldownDuration.TotalSeconds, error.GetType().Name);
                }

                Release(request, deployment, null, null);
                request.Deployment = null;
                request.LastDeployment = deployment;
                _recorder.AttemptFailed(request, deployment, error);
                last = ReferenceEquals(error, ex) ? ExceptionDispatchInfo.Capture(ex) : ExceptionDispatchInfo.Capture(error);
                lastKind = kind;
                switch (kind)
                {
                    case FailureKind.Fatal:
                        last.Throw();
                        break;
                    case FailureKind.Deployment:
                        excluded |= bit;
                        break;
                    case FailureKind.Transient when ++groupRetries <= _options.MaxRetries:
                        tried |= bit;
                        retrying = true;
                        if (retryAfter is not null && !honoured)
                        {
                            excluded |= bit;
                        }

                        TimeSpan delay = honoured ? retryAfter!.Value : Backoff(groupRetries);
                        retryAt = UtcTicks + delay.Ticks;
                        _logger.Retry(group.Alias, deployment.Name, groupRetries, delay.TotalMilliseconds, error.GetType().Name);
                        if (_options.OnRetry is { } onRetry)
                        {
                            await onRetry(new OnRetryArguments(groupRetries - 1, error, delay, cancellationToken)).ConfigureAwait(false);
                        }

                        break;
                    default:
                        // Retries used up, or a failure only another group can answer: this group is done.
                        excluded = ulong.MaxValue;
                        break;
                }
            }
        }
    }

    private RouteGroup? NextFallback(RouteRequest request, FailureKind kind, ref HashSet<string>? visited)
    {
        string[] candidates = kind switch
        {
            FailureKind.ContextWindow => request.Group.ContextWindowFallbacks,
            FailureKind.ContentPolicy => request.Group.ContentPolicyFallbacks,
            FailureKind.Fatal => [],
            _ => request.Group.Fallbacks,
        };
        foreach (string alias in candidates)
        {
            visited ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase) { request.Alias };
            if (visited.Add(alias))
            {
                return groups(alias);
            }
        }

        return null;
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

    private TimeSpan Backoff(int retry) => RetryBackoff.Delay(retry, _options.RetryDelay, _options.MaxRetryDelay, _options.Randomizer());

    private Task Delay(long ticks, CancellationToken cancellationToken) =>
        ticks <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(ticks), _time, cancellationToken);

    public long UtcTicks => _time.GetUtcNow().UtcTicks;
}
