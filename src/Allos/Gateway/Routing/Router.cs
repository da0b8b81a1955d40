using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Allos.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Allos.Gateway;

/// <summary>
/// An <see cref="IChatClient"/> over many deployments: picks one per request by strategy, retries transient failures,
/// falls back to other groups, cools failing deployments down, keeps RPM/TPM limits and budgets, caches and records
/// every call.
/// </summary>
/// <remarks>
/// <para>
/// The request's <see cref="ChatOptions.ModelId"/> names an alias (a <see cref="ModelGroup"/>) or a plain model id; without
/// one, <see cref="RouterOptions.DefaultModel"/> is used. <see cref="For"/> returns a client bound to one alias.
/// </para>
/// <para>
/// Streaming requests are retried and fall back only until their first chunk has reached the caller; an error after that
/// is raised to the caller (the deployment still counts it toward its cooldown).
/// </para>
/// <para>Thread-safe. One Router is meant to serve the whole process: health, limits and budgets live in it.</para>
/// </remarks>
public sealed class Router : IChatClient
{
    private static readonly Func<RouteRequest, CancellationToken, Task<ChatResponse>> CallOnce =
        static (request, cancellationToken) => request.Deployment!.Client.GetResponseAsync(request.Messages, request.Forwarded, cancellationToken);

    private static readonly Func<RouteRequest, CancellationToken, Task<StreamStart>> StreamOnce = StartStreamAsync;

    /// <summary>The key under which the Router reports what a call cost: <see cref="ResponseCost.Key"/>.</summary>
    public const string CostProperty = ResponseCost.Key;

    private readonly RouterOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RouteGroup> _groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RouteGroup> _plainModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly BudgetLedger _budgets;
    private readonly CallRecorder _recorder;
    private readonly ChatClientMetadata _metadata;
    private readonly ILogger _logger;

    /// <summary>Initializes a Router from <paramref name="options"/>.</summary>
    /// <exception cref="ConfigurationException">The options are inconsistent (the message says what to fix).</exception>
    public Router(RouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RouterValidation.Validate(options);
        _options = options;
        _time = options.TimeProvider;
        foreach (ModelGroup group in options.Groups)
        {
            _groups[group.Alias] = CreateGroup(group.Alias, group.Deployments, group.Strategy ?? options.Strategy, group);
        }

        RouterValidation.ValidateReferences(options, _groups.ContainsKey);
        _budgets = new BudgetLedger(options.Budgets, options.Telemetry, _time);
        _recorder = new CallRecorder(options.Telemetry, _time);
        _metadata = new ChatClientMetadata("allos-router", defaultModelId: options.DefaultModel);
        _logger = options.LoggerFactory.CreateLogger<Router>();
    }

    /// <summary>Gets the aliases of the configured model groups.</summary>
    public IReadOnlyCollection<string> Aliases => _groups.Keys;

    /// <summary>Returns a client that sends requests to <paramref name="alias"/> (a group alias or a model id) unless a request's <see cref="ChatOptions.ModelId"/> names another.</summary>
    /// <remarks>Its <c>GetService(typeof(ModelInfo))</c> returns the limits of the group's smallest-context deployment.</remarks>
    /// <exception cref="ConfigurationException">The alias is neither a group nor a model id a provider serves.</exception>
    public IChatClient For(string alias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        RouteGroup group = Group(alias.Trim());
        DeploymentState? single = _groups.ContainsKey(group.Alias) ? null : group.Deployments[0];
        var metadata = single is null
            ? new ChatClientMetadata("allos-router", defaultModelId: group.Alias)
            : new ChatClientMetadata(single.Provider, defaultModelId: single.ModelName);

        // An alias is as small as its smallest deployment: agents fit their history to that.
        Models.ModelInfo limits = group.Deployments.Select(deployment => deployment.Info).MinBy(info => info.ContextWindow)!;
        return new AliasChatClient(this, group.Alias, metadata, limits);
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetResponseAsync(options?.ModelId ?? _options.DefaultModel, messages, options, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(options?.ModelId ?? _options.DefaultModel, messages, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Disposes the provider clients the Router created and its rate limiters.</summary>
    public void Dispose()
    {
        foreach (RouteGroup group in _groups.Values.Concat(_plainModels.Values))
        {
            group.Dispose();
        }
    }

    internal async Task<ChatResponse> GetResponseAsync(string? alias, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        RouteRequest request = Begin(alias, messages, options, streaming: false);
        using TimeoutScope? deadline = Deadline(cancellationToken);
        CancellationToken token = deadline?.Token ?? cancellationToken;
        try
        {
            if (request.CacheKey is not null && await CachedAsync(request, token).ConfigureAwait(false) is ChatResponse cached)
            {
                _recorder.CacheHit(request, cached);
                ResponseCost.Set(cached, 0m);
                return cached;
            }

            ChatResponse response = await RouteAsync(request, CallOnce, token).ConfigureAwait(false);
            DeploymentState deployment = request.Deployment!;
            request.AttemptSource?.Dispose();
            UsageDetails? usage = response.Usage;
            decimal? cost = usage is null ? null : Models.CostCalculator.Cost(deployment.Info, usage);
            deployment.Succeeded(request.Probe, _time.GetElapsedTime(request.AttemptStart).TotalMilliseconds, null);
            Release(request, deployment, usage, cost);
            if (cost is decimal known)
            {
                ResponseCost.Set(response, known);
            }

            if (request.CacheKey is not null && response.FinishReason != ChatFinishReason.ContentFilter)
            {
                await StoreAsync(request, response, token).ConfigureAwait(false);
            }

            _recorder.Succeeded(request, deployment, usage, cost, response.ModelId, response.FinishReason, null);
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Exception error = Failure(ex, deadline, cancellationToken, request);
            _recorder.Failed(request, error);
            if (ReferenceEquals(error, ex))
            {
                throw;
            }

            throw error;
        }
        catch (OperationCanceledException ex)
        {
            _recorder.Failed(request, ex);
            throw;
        }
    }

    internal async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        string? alias, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        RouteRequest request = Begin(alias, messages, options, streaming: true);
        using TimeoutScope? deadline = Deadline(cancellationToken);
        CancellationToken token = deadline?.Token ?? cancellationToken;

        ChatResponse? cached = null;
        StreamStart start = default;
        try
        {
            cached = request.CacheKey is null ? null : await CachedAsync(request, token).ConfigureAwait(false);
            if (cached is null)
            {
                start = await RouteAsync(request, StreamOnce, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Exception error = Failure(ex, deadline, cancellationToken, request);
            _recorder.Failed(request, error);
            if (ReferenceEquals(error, ex))
            {
                throw;
            }

            throw error;
        }

        if (cached is not null)
        {
            _recorder.CacheHit(request, cached);
            foreach (ChatResponseUpdate update in cached.ToChatResponseUpdates())
            {
                yield return update;
            }

            yield return ResponseCost.CreateUpdate(0m);
            yield break;
        }

        double firstChunkMs = _time.GetElapsedTime(request.AttemptStart).TotalMilliseconds;
        var observed = new StreamObserver(request.CacheKey is not null);
        Exception? failure = null;
        bool completed = false;
        decimal? cost = null;
        try
        {
            ChatResponseUpdate? current = start.First;
            while (current is not null)
            {
                observed.Observe(current);
                yield return current;
                bool more;
                try
                {
                    more = await start.Stream.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failure = Failure(ex, deadline, cancellationToken, request);
                    if (ReferenceEquals(failure, ex))
                    {
                        throw;
                    }

                    throw failure;
                }

                current = more ? start.Stream.Current : null;
            }

            completed = true;
        }
        finally
        {
            await start.Stream.DisposeAsync().ConfigureAwait(false);
            request.AttemptSource?.Dispose();
            cost = await FinishStreamAsync(request, firstChunkMs, observed, completed, failure, token).ConfigureAwait(false);
        }

        if (cost is decimal known)
        {
            yield return ResponseCost.CreateUpdate(known);
        }
    }

    private static async Task<StreamStart> StartStreamAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        IAsyncEnumerator<ChatResponseUpdate> stream = request.Deployment!.Client
            .GetStreamingResponseAsync(request.Messages, request.Forwarded, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        try
        {
            bool any = await stream.MoveNextAsync().ConfigureAwait(false);
            return new StreamStart(stream, any ? stream.Current : null);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<decimal?> FinishStreamAsync(RouteRequest request, double firstChunkMs, StreamObserver observed, bool completed, Exception? failure, CancellationToken cancellationToken)
    {
        DeploymentState deployment = request.Deployment!;
        decimal? cost = observed.Usage is null ? null : Models.CostCalculator.Cost(deployment.Info, observed.Usage);
        if (completed)
        {
            deployment.Succeeded(request.Probe, _time.GetElapsedTime(request.AttemptStart).TotalMilliseconds, firstChunkMs);
        }
        else if (failure is not null)
        {
            FailureKind kind = FailureKinds.Classify(failure);
            if (deployment.Failed(request.Probe, UtcTicks, kind is FailureKind.Transient or FailureKind.Deployment, null))
            {
                _logger.Cooldown(deployment.Name, request.Group.Alias, _options.CooldownDuration.TotalSeconds, failure.GetType().Name);
            }
        }
        else
        {
            deployment.Abandoned(request.Probe);
        }

        Release(request, deployment, observed.Usage, cost);
        if (completed && request.CacheKey is not null && observed.ToResponse() is { } response && response.FinishReason != ChatFinishReason.ContentFilter)
        {
            await StoreAsync(request, response, cancellationToken).ConfigureAwait(false);
        }

        if (completed)
        {
            _recorder.Succeeded(request, deployment, observed.Usage, cost, observed.ModelId, observed.FinishReason, firstChunkMs);
        }
        else
        {
            _recorder.Failed(request, failure ?? new OperationCanceledException("The caller stopped reading the stream."), observed.Usage, cost);
        }

        return cost;
    }

    /// <summary>
    /// Runs attempts until one succeeds: picks a deployment, takes its rate-limit and budget share, calls it, and on failure
    /// retries, moves to another deployment or to a fallback group, as the failure's kind says.
    /// On return, <see cref="RouteRequest.Deployment"/> holds the attempt that succeeded, still open (in flight, reserved).
    /// </summary>
    private async Task<TResult> RouteAsync<TResult>(RouteRequest request, Func<RouteRequest, CancellationToken, Task<TResult>> attempt, CancellationToken cancellationToken)
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
                return Group(alias);
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

    private void Release(RouteRequest request, DeploymentState deployment, UsageDetails? usage, decimal? cost)
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

    private RouteRequest Begin(string? alias, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        if (string.IsNullOrWhiteSpace(alias))
        {
            throw new ConfigurationException(
                "The request names no model. Set ChatOptions.ModelId to an alias or model id, use Router.For(alias), or set RouterOptions.DefaultModel.");
        }

        var request = new RouteRequest(Group(alias), messages, options, streaming, _time.GetTimestamp());
        if (_options.Cache is not null && (request.CacheRequested ?? request.Group.Cache))
        {
            // Null when part of the request has no JSON form: such a request is not cached rather than keyed loosely.
            request.CacheKey = Caching.ResponseCacheKey.Compute(request.Alias, messages, request.Forwarded);
        }

        _recorder.Started(request);
        return request;
    }

    private RouteGroup Group(string alias)
    {
        if (_groups.TryGetValue(alias, out RouteGroup? group) || _plainModels.TryGetValue(alias, out group))
        {
            return group;
        }

        // A plain model id is a group of one, created once; resolving it first reports an unknown provider clearly.
        _options.Providers.Resolve(alias);
        return _plainModels.GetOrAdd(alias, static (id, router) => router.CreateGroup(id, [new Deployment(id)], router._options.Strategy, null), this);
    }

    private RouteGroup CreateGroup(string alias, IEnumerable<Deployment> deployments, RoutingStrategy strategy, ModelGroup? definition)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Deployment[] ordered = [.. deployments.OrderBy(deployment => deployment.Priority)];
        var states = new DeploymentState[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            string name = ordered[i].Name ?? ordered[i].Model;
            for (int n = 2; !names.Add(name); n++)
            {
                name = $"{ordered[i].Name ?? ordered[i].Model}#{n}";
            }

            states[i] = new DeploymentState(ordered[i], name, i, _options);
        }

        return new RouteGroup(alias, states, strategy, definition);
    }

    private async Task<ChatResponse?> CachedAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _options.Cache!.GetAsync(request.CacheKey!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A broken cache is a miss, never a failed request.
            _recorder.CacheFailed(request, ex);
            return null;
        }
    }

    private async Task StoreAsync(RouteRequest request, ChatResponse response, CancellationToken cancellationToken)
    {
        try
        {
            TimeSpan ttl = request.Group.CacheTtl ?? _options.CacheTtl;
            await _options.Cache!.SetAsync(request.CacheKey!, response, ttl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _recorder.CacheFailed(request, ex);
        }
    }

    private TimeoutScope? Deadline(CancellationToken cancellationToken) =>
        _options.RequestTimeout is TimeSpan timeout ? new TimeoutScope(timeout, _time, cancellationToken) : null;

    /// <summary>The exception a failed request leaves with: the Router's own deadline named as such, foreign clients' failures as Allos types.</summary>
    private Exception Failure(Exception error, TimeoutScope? deadline, CancellationToken cancellationToken, RouteRequest request)
    {
        string provider = request.Deployment?.Provider ?? request.LastDeployment?.Provider ?? request.Group.Deployments[0].Provider;
        if (error is OperationCanceledException && deadline?.TimedOut == true && !cancellationToken.IsCancellationRequested)
        {
            return new ProviderTimeoutException(provider,
                $"The request to '{request.Alias}' did not finish within the Router's RequestTimeout of {_options.RequestTimeout} " +
                $"({request.Retries} retries, {request.Fallbacks} fallbacks).", innerException: error);
        }

        return ForeignFailures.ToAllos(error, provider, cancellationToken);
    }

    private TimeSpan Backoff(int retry) => RetryBackoff.Delay(retry, _options.RetryDelay, _options.MaxRetryDelay, Random.Shared.NextDouble());

    private Task Delay(long ticks, CancellationToken cancellationToken) =>
        ticks <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(ticks), _time, cancellationToken);

    private long UtcTicks => _time.GetUtcNow().UtcTicks;
}
