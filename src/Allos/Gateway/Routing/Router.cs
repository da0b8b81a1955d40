using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Allos.Gateway.Caching;
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

    private static readonly Func<RouteRequest, CancellationToken, Task<GeneratedEmbeddings<Embedding<float>>>> EmbedOnce =
        static (request, cancellationToken) => request.Deployment!.Embeddings.GenerateAsync(request.EmbeddingInputs!, request.EmbeddingOptions, cancellationToken);

    private static readonly Action<(Router Router, RouteRequest Request), Exception> CacheFailed =
        static (call, error) => call.Router._recorder.CacheFailed(call.Request, error);

    /// <summary>The key under which the Router reports what a call cost: <see cref="ResponseCost.Key"/>.</summary>
    public const string CostProperty = ResponseCost.Key;

    private readonly RouterOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RouteGroup> _groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, RouteGroup> _plainModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly RouteAttempts _attempts;
    private readonly CallRecorder _recorder;
    private readonly ChatClientMetadata _metadata;
    private readonly ILogger _logger;

    // With RouterOptions.SharedCooldowns: the deployments by shared key, and cooldowns that arrived before their plain
    // model's group was created here (applied when it is).
    private readonly ConcurrentDictionary<string, DeploymentState> _shared = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _sharedEarly = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable? _sharedSubscription;

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
        _recorder = new CallRecorder(options.Telemetry, _time);
        _metadata = new ChatClientMetadata("allos-router", defaultModelId: options.DefaultModel);
        _logger = options.LoggerFactory.CreateLogger<Router>();
        _attempts = new RouteAttempts(options, new BudgetLedger(options.Budgets, options.Telemetry, _time), _recorder, _logger, Group);
        if (options.SharedCooldowns is { } shared)
        {
            foreach (RouteGroup group in _groups.Values)
            {
                Share(group);
            }

            _sharedSubscription = shared.Subscribe(OnSharedCooldown);
        }
    }

    internal RouterOptions Options => _options;

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

    /// <summary>
    /// Returns an embedding generator that sends requests to <paramref name="alias"/> (a group alias or a model id) unless a
    /// request's <see cref="EmbeddingGenerationOptions.ModelId"/> names another, with the chat path's retries, fallbacks,
    /// cooldowns, RPM/TPM limits, budgets, deadline and recording; the cost is reported under <see cref="CostProperty"/>
    /// in <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/> when the price and usage are known.
    /// </summary>
    /// <remarks>
    /// The group's deployments must name embedding models (<c>openai/text-embedding-3-small</c>, <c>ollama/nomic-embed-text</c>)
    /// or carry a <see cref="Deployment.EmbeddingGenerator"/>. The response cache is not used for embeddings. A fallback
    /// group should produce vectors of the same model and width, or the caller's index will mix incomparable vectors.
    /// </remarks>
    /// <exception cref="ConfigurationException">The alias is neither a group nor a model id a provider serves.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingsFor(string alias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        RouteGroup group = Group(alias.Trim());
        DeploymentState? single = _groups.ContainsKey(group.Alias) ? null : group.Deployments[0];
        var metadata = single is null
            ? new EmbeddingGeneratorMetadata("allos-router", defaultModelId: group.Alias)
            : new EmbeddingGeneratorMetadata(single.Provider, defaultModelId: single.ModelName);
        return new RouterEmbeddingGenerator(this, group.Alias, metadata);
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
        _sharedSubscription?.Dispose();
        foreach (RouteGroup group in _groups.Values.Concat(_plainModels.Values))
        {
            group.Dispose();
        }
    }

    /// <summary>Returns the first deployment (by priority) that <paramref name="alias"/> routes to, for calls the Router does not route itself (token counting).</summary>
    internal DeploymentState FirstDeployment(string alias) => Group(alias.Trim()).Deployments[0];

    /// <summary>
    /// Returns the most a call to <paramref name="alias"/> could cost on any deployment it may reach: its own group's and
    /// those of every fallback group it names (fallbacks are one level deep, as routing takes them), with the catalog entry
    /// that prices it. A gateway key reserves this, so a fallback to a dearer deployment cannot spend past the reservation.
    /// </summary>
    /// <param name="alias">A group alias or a model id.</param>
    /// <param name="inputTokens">The estimated input tokens.</param>
    /// <param name="maxOutputTokens">The request's output limit; <see langword="null"/> takes each deployment's own maximum.</param>
    /// <returns>The dearest cost and its model, the largest output allowance seen; a <see langword="null"/> cost when no deployment has a price.</returns>
    /// <exception cref="ConfigurationException">The alias is neither a group nor a model id a provider serves.</exception>
    internal (decimal? Cost, Models.ModelInfo Info, long OutputTokens) MostExpensive(string alias, long inputTokens, int? maxOutputTokens)
    {
        RouteGroup group = Group(alias.Trim());
        decimal? dearest = null;
        Models.ModelInfo info = group.Deployments[0].Info;
        long output = 0;

        // Runs on every gateway request: plain loops, no enumerator or closure allocations.
        Consider(group, inputTokens, maxOutputTokens, ref dearest, ref info, ref output);
        foreach (string[] fallbacks in (ReadOnlySpan<string[]>)[group.Fallbacks, group.ContextWindowFallbacks, group.ContentPolicyFallbacks])
        {
            foreach (string fallback in fallbacks)
            {
                Consider(Group(fallback), inputTokens, maxOutputTokens, ref dearest, ref info, ref output);
            }
        }

        return (dearest, info, output);

        static void Consider(RouteGroup candidate, long inputTokens, int? maxOutputTokens, ref decimal? dearest, ref Models.ModelInfo info, ref long output)
        {
            foreach (DeploymentState deployment in candidate.Deployments)
            {
                long allowance = maxOutputTokens ?? deployment.Info.MaxOutputTokens;
                output = Math.Max(output, allowance);
                if (deployment.Info.Pricing is { } price && ((inputTokens * price.Input) + (allowance * price.Output)) / 1_000_000m is var cost && (dearest is null || cost > dearest))
                {
                    dearest = cost;
                    info = deployment.Info;
                }
            }
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

            ChatResponse response = await _attempts.RouteAsync(request, CallOnce, token).ConfigureAwait(false);
            DeploymentState deployment = request.Deployment!;
            request.AttemptSource?.Dispose();
            UsageDetails? usage = response.Usage;
            decimal? cost = usage is null ? null : Models.CostCalculator.Cost(deployment.Info, usage);
            deployment.Succeeded(request.Probe, _time.GetElapsedTime(request.AttemptStart).TotalMilliseconds, null);
            _attempts.Release(request, deployment, usage, cost);
            if (cost is decimal known)
            {
                ResponseCost.Set(response, known);
            }

            if (request.CacheKey is not null && response.FinishReason != ChatFinishReason.ContentFilter)
            {
                await StoreAsync(request, response, token).ConfigureAwait(false);
            }

            request.ResponseId = response.ResponseId;
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

    internal async Task<GeneratedEmbeddings<Embedding<float>>> GenerateEmbeddingsAsync(string alias, IEnumerable<string> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] inputs = [.. values];
        EmbeddingGenerationOptions? forwarded = options;
        AdditionalPropertiesDictionary? properties = options?.AdditionalProperties;
        object? user = null;
        object? caller = null;
        bool hasRouterKeys = properties is { Count: > 0 }
            && (properties.TryGetValue(RouterChatOptions.UserKey, out user) | properties.TryGetValue(RouterChatOptions.CallerKey, out caller));
        if (options?.ModelId is not null || hasRouterKeys)
        {
            // The alias and the allos.* keys are the Router's business; deployments get their own model.
            forwarded = options!.Clone();
            forwarded.ModelId = null;
            if (hasRouterKeys)
            {
                forwarded.AdditionalProperties!.Remove(RouterChatOptions.UserKey);
                forwarded.AdditionalProperties.Remove(RouterChatOptions.CallerKey);
                if (forwarded.AdditionalProperties.Count == 0)
                {
                    forwarded.AdditionalProperties = null;
                }
            }
        }

        // The inputs as messages, so budgets and TPM limits estimate their tokens as they do a prompt's.
        ChatMessage[] asMessages = [.. inputs.Select(input => new ChatMessage(ChatRole.User, input))];
        var request = new RouteRequest(Group(alias), asMessages, null, streaming: false, _time.GetTimestamp())
        {
            EmbeddingInputs = inputs,
            EmbeddingOptions = forwarded,
            UserKey = user?.ToString(),
            Caller = caller as RequestCaller,
        };
        _recorder.Started(request);
        using TimeoutScope? deadline = Deadline(cancellationToken);
        CancellationToken token = deadline?.Token ?? cancellationToken;
        try
        {
            GeneratedEmbeddings<Embedding<float>> result = await _attempts.RouteAsync(request, EmbedOnce, token).ConfigureAwait(false);
            DeploymentState deployment = request.Deployment!;
            request.AttemptSource?.Dispose();
            UsageDetails? usage = result.Usage;
            decimal? cost = usage is null ? null : Models.CostCalculator.Cost(deployment.Info, usage);
            deployment.Succeeded(request.Probe, _time.GetElapsedTime(request.AttemptStart).TotalMilliseconds, null);
            _attempts.Release(request, deployment, usage, cost);
            if (cost is decimal known)
            {
                ResponseCost.Set(result, known);
            }

            _recorder.Succeeded(request, deployment, usage, cost, result.Count > 0 ? result[0].ModelId : null, null, null);
            return result;
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
                start = await _attempts.RouteAsync(request, StreamOnce, token).ConfigureAwait(false);
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
            foreach (ChatResponseUpdate update in start.Preamble ?? [])
            {
                yield return update;
            }

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
            List<ChatResponseUpdate>? preamble = null;
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                ChatResponseUpdate update = stream.Current;
                if (update.Contents.Count > 0 || update.FinishReason is not null || update.RawRepresentation is null)
                {
                    return new StreamStart(stream, update, preamble);
                }

                (preamble ??= []).Add(update);
            }

            return new StreamStart(stream, null, preamble);
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
            if (deployment.Failed(request.Probe, _attempts.UtcTicks, kind is FailureKind.Transient or FailureKind.Deployment, null))
            {
                _logger.Cooldown(deployment.Name, request.Group.Alias, _options.CooldownDuration.TotalSeconds, failure.GetType().Name);
            }
        }
        else
        {
            deployment.Abandoned(request.Probe);
        }

        _attempts.Release(request, deployment, observed.Usage, cost);
        if (completed && request.CacheKey is not null && observed.ToResponse() is { } response && response.FinishReason != ChatFinishReason.ContentFilter)
        {
            await StoreAsync(request, response, cancellationToken).ConfigureAwait(false);
        }

        request.ResponseId = observed.ResponseId;
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
        group = _plainModels.GetOrAdd(alias, static (id, router) => router.CreateGroup(id, [new Deployment(id)], router._options.Strategy, null), this);
        if (_options.SharedCooldowns is not null)
        {
            // The group GetOrAdd kept (of any built at once), so a shared cooldown reaches the state requests use.
            Share(group);
        }

        return group;
    }

    /// <summary>Makes the group's deployments reachable by shared key and applies the cooldowns that came before them.</summary>
    private void Share(RouteGroup group)
    {
        foreach (DeploymentState deployment in group.Deployments)
        {
            if (_shared.TryAdd(deployment.SharedKey, deployment) && _sharedEarly.TryRemove(deployment.SharedKey, out long until))
            {
                deployment.CoolDownUntil(until);
            }
        }
    }

    /// <summary>Applies a cooldown another process (or this one, an echo that changes nothing) published. Runs on the feed's loop: no waiting.</summary>
    private void OnSharedCooldown(SharedCooldown cooldown)
    {
        long until = cooldown.Until.UtcTicks;
        if (until <= _time.GetUtcNow().UtcTicks)
        {
            return;
        }

        if (_shared.TryGetValue(cooldown.Deployment, out DeploymentState? deployment))
        {
            deployment.CoolDownUntil(until);
            return;
        }

        // No such deployment yet (a plain model id not requested here so far): keep it for Share. Looking again after
        // keeping it catches a Share that ran in between, which did not see it.
        _sharedEarly.AddOrUpdate(cooldown.Deployment, until, (_, known) => Math.Max(known, until));
        if (_shared.TryGetValue(cooldown.Deployment, out deployment) && _sharedEarly.TryRemove(cooldown.Deployment, out until))
        {
            deployment.CoolDownUntil(until);
        }
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

            states[i] = new DeploymentState(ordered[i], alias, name, i, _options);
        }

        return new RouteGroup(alias, states, strategy, definition);
    }

    private ValueTask<ChatResponse?> CachedAsync(RouteRequest request, CancellationToken cancellationToken) =>
        _options.Cache!.TryGetAsync(request.CacheKey!, CacheFailed, (this, request), cancellationToken);

    private ValueTask StoreAsync(RouteRequest request, ChatResponse response, CancellationToken cancellationToken) =>
        _options.Cache!.TrySetAsync(request.CacheKey!, response, request.Group.CacheTtl ?? _options.CacheTtl, CacheFailed, (this, request), cancellationToken);

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
}
