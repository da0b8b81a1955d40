using System.Data.Common;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Metrics;
using Allos.Gateway.Server.Models;
using Allos.Models;
using Allos.Storage;
using Allos.Storage.Limits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Primitives;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The one check every model request passes before it reaches the Router: which key sent it, whether the server serves
/// the model (<see cref="GatewayServerOptions.Models"/>), and whether that key may make it now (model allow-list, expiry,
/// blocked, parallel requests, requests and tokens per minute, budget).
/// </summary>
/// <remarks>
/// <para>
/// An ingress endpoint calls <see cref="AdmitAsync(HttpContext, string, IEnumerable{ChatMessage}, ChatOptions?, CancellationToken)"/>
/// once, writes the refusal in its own format if there is one, and settles the lease when the call ends. All checks of one
/// key run under that key's lock, and the budget is reserved there at the call's estimated maximum cost (input estimate
/// plus the output limit, at the catalog price of the dearest deployment the call may reach, fallbacks included) before
/// anything is sent; so no number of concurrent requests can spend past <see cref="VirtualKey.MaxBudget"/>, unless a call
/// costs more than its estimate (its input was underestimated).
/// </para>
/// <para>
/// A key's team and user (<see cref="VirtualKey.TeamId"/>, <see cref="VirtualKey.UserId"/>, when <c>/team/new</c> or
/// <c>/user/new</c> created them) are checked and reserved in the same step: their locks are taken team, then user, then
/// key, and every check of all three passes before anything is reserved on any, so a refusal leaves nothing behind
/// (except a request slot on an earlier rate limiter, which it gives back at the end of its minute).
/// </para>
/// <para>
/// Key records are cached in memory after their first request and refreshed by <see cref="RefreshAsync"/> and
/// <see cref="Forget"/>, which the admin endpoints call on every update and delete (and, on a shared store, every
/// instance's change feed): a change takes effect at the key's next request.
/// </para>
/// <para>
/// With <see cref="ISharedLimits"/> (several instances on one PostgreSQL database), a key whose key, user or team has any
/// budget or limit is checked and reserved there instead, in one atomic step across all three, so the limits are the
/// instances' together, not each one's. Identity checks (blocked, expired, models) stay on the cached records.
/// </para>
/// <para>
/// Otherwise spend is counted in memory and written to the store off the request path, one coalesced addition per key at
/// a time. Without a master key the gate admits every request unchecked (the server then listens on loopback only).
/// </para>
/// </remarks>
internal sealed partial class KeyGate
{
    private const string NoKey = "No API key: send a key of this gateway in the Authorization: Bearer, x-api-key or x-goog-api-key header.";
    private const string UnknownKey = "Invalid API key: it is not a key of this gateway (it may have been deleted). Ask the gateway's admin for a key from /key/generate.";

    private readonly IKeyStore? _store;
    private readonly byte[]? _masterHash;
    private readonly string? _masterHex;
    private readonly TimeProvider _time;
    private readonly Router? _router;
    private readonly ServedModels? _served;
    private readonly OwnerAccounts? _owners;
    private readonly KeyAccounts? _keys;
    private readonly LimitBlocks? _shared;
    private IDisposable? _watching;

    public KeyGate(IKeyStore? store, string? masterKey, TimeProvider time, Router? router = null, ServedModels? served = null, LimitBlocks? shared = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _masterHash = string.IsNullOrEmpty(masterKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(masterKey));
        _masterHex = _masterHash is null ? null : Convert.ToHexStringLower(_masterHash);
        _time = time;
        _router = router;
        _served = served;
        _owners = store is null ? null : new OwnerAccounts(store, time);
        _keys = store is null ? null : new KeyAccounts(store, time);
        _shared = store is null ? null : shared;
    }

    /// <summary>Gets a value indicating whether a master key is set, and so every model request needs a key.</summary>
    public bool RequiresKey => _masterHash is not null;

    /// <summary>Gets the gate's clock's current time.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Gets the key store, or <see langword="null"/> when the server has none (only the master key works then).</summary>
    public IKeyStore? Store => _store;

    /// <summary>Gets the users and teams this process has cached, or <see langword="null"/> without a key store.</summary>
    public OwnerAccounts? Owners => _owners;

    /// <summary>
    /// Admits a request for <paramref name="model"/>, estimating its maximum cost and tokens from the messages and options,
    /// and tags admitted <paramref name="options"/> with the caller for the spend log (see <see cref="Tag(HttpContext, KeyLease, ChatOptions)"/>).
    /// </summary>
    public ValueTask<KeyAdmission> AdmitAsync(HttpContext context, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        AdmitAsync(context, model, messages, options, stream: false, cancellationToken);

    /// <summary>As <see cref="AdmitAsync(HttpContext, string, IEnumerable{ChatMessage}, ChatOptions?, CancellationToken)"/>, saying whether the answer is streamed.</summary>
    /// <remarks>
    /// A stream is reserved on its own even far from every limit: it lasts seconds to minutes, so a round trip is nothing
    /// beside it, and a reservation block would hold what it did not use for as long as the stream runs.
    /// </remarks>
    public async ValueTask<KeyAdmission> AdmitAsync(HttpContext context, string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        KeyAdmission admission;
        if (_masterHash is null)
        {
            admission = Served(model) is { } notServed ? KeyAdmission.Refuse(notServed) : KeyAdmission.Admit(KeyLease.Unlimited);
        }
        else
        {
            long input = InputTokenEstimate.Of(messages, options);
            (decimal? cost, ModelInfo? info, long output) = Price(model, input, options?.MaxOutputTokens);
            admission = await AdmitAsync(context, model, cost, input + output, info, stream, cancellationToken).ConfigureAwait(false);
        }

        if (admission.Admitted && options is not null)
        {
            Tag(context, admission.Lease, options);
        }

        return admission;
    }

    /// <summary>
    /// Tags an admitted request's options with who sent it, which the Router records in the spend log: the key's hash (the
    /// master key's, for the master key), alias and team, and the ingress path; and the key's <c>user_id</c> as the user key,
    /// in place of the request's own <c>user</c>.
    /// </summary>
    /// <returns>The same <paramref name="options"/>.</returns>
    public ChatOptions Tag(HttpContext context, KeyLease lease, ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WithCaller(CallerOf(context, lease));
        if (lease.Key?.UserId is { Length: > 0 } user)
        {
            options.WithUser(user);
        }

        return options;
    }

    /// <summary>Tags an admitted embeddings request's options as <see cref="Tag(HttpContext, KeyLease, ChatOptions)"/> does chat options.</summary>
    /// <returns><paramref name="options"/>, or new options when it is <see langword="null"/>.</returns>
    public EmbeddingGenerationOptions Tag(HttpContext context, KeyLease lease, EmbeddingGenerationOptions? options)
    {
        options ??= new EmbeddingGenerationOptions();
        options.WithCaller(CallerOf(context, lease));
        if (lease.Key?.UserId is { Length: > 0 } user)
        {
            options.AdditionalProperties![RouterChatOptions.UserKey] = user;
        }

        return options;
    }

    private RequestCaller CallerOf(HttpContext context, KeyLease lease)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lease);
        VirtualKey? key = lease.Key;

        // An unlimited lease under a master key is the master key's (without one, no key was asked for).
        return new RequestCaller
        {
            KeyHash = key?.Hash ?? _masterHex,
            KeyAlias = key?.Alias,
            TeamId = key?.TeamId,
            Endpoint = context.Request.Path.Value,
        };
    }

    /// <summary>
    /// Prices a call at its most: <paramref name="input"/> tokens plus the output limit (the request's, else the largest
    /// deployment maximum) on the dearest deployment <paramref name="model"/> may reach, fallbacks included.
    /// </summary>
    /// <returns>The cost (<see langword="null"/> when no price is known), the catalog entry that prices it, and the output tokens allowed.</returns>
    public (decimal? Cost, ModelInfo? Info, long OutputTokens) Price(string model, long input, int? maxOutputTokens)
    {
        if (_router is null || string.IsNullOrWhiteSpace(model))
        {
            return (null, null, maxOutputTokens ?? 0);
        }

        try
        {
            return _router.MostExpensive(model, input, maxOutputTokens);
        }
        catch (ConfigurationException)
        {
            return (null, null, maxOutputTokens ?? 0); // A model the Router cannot serve: the Router's own error reaches the caller.
        }
    }

    /// <summary>Admits a request for <paramref name="model"/> whose maximum cost and tokens the caller estimated.</summary>
    /// <param name="context">The request: its key is read from <c>Authorization: Bearer</c>, <c>x-api-key</c> or <c>x-goog-api-key</c>.</param>
    /// <param name="model">The alias or model id asked for, checked against the key's allow-list.</param>
    /// <param name="estimatedCost">The most the call may cost, reserved on the key's budget; <see langword="null"/> when unknown (nothing is reserved, but a spent budget still refuses).</param>
    /// <param name="estimatedTokens">Input and output tokens reserved on the key's tokens-per-minute limit until the call settles.</param>
    /// <param name="modelInfo">The catalog entry used to price the usage when the call settles without a reported cost.</param>
    /// <param name="cancellationToken">Cancels loading the key's record.</param>
    public ValueTask<KeyAdmission> AdmitAsync(HttpContext context, string model, decimal? estimatedCost, long estimatedTokens, ModelInfo? modelInfo, CancellationToken cancellationToken) =>
        AdmitAsync(context, model, estimatedCost, estimatedTokens, modelInfo, stream: false, cancellationToken);

    private async ValueTask<KeyAdmission> AdmitAsync(HttpContext context, string model, decimal? estimatedCost, long estimatedTokens, ModelInfo? modelInfo, bool stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        GatewayInstruments.Admitted(context, model, key: null);
        if (_masterHash is null)
        {
            return Served(model) is { } notServed ? KeyAdmission.Refuse(notServed) : KeyAdmission.Admit(KeyLease.Unlimited);
        }

        // Who is asking comes first: a caller without a valid key learns nothing about which models are served.
        if (KeyOf(context.Request.Headers) is not { } key)
        {
            return KeyRefusals.Unauthorized(NoKey);
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        if (CryptographicOperations.FixedTimeEquals(hash, _masterHash))
        {
            GatewayInstruments.Admitted(context, model, "master");
            return Served(model) is { } notServed ? KeyAdmission.Refuse(notServed) : KeyAdmission.Admit(KeyLease.Unlimited);
        }

        KeyAccount? account;
        OwnerAccount? team, user;
        try
        {
            account = _keys is null ? null : await _keys.GetAsync(Convert.ToHexStringLower(hash), cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return KeyRefusals.Unauthorized(UnknownKey);
            }

            // The key's team and user share their budget and limits with its other keys; both are cached after the first request.
            team = await _owners!.GetAsync(KeyOwnerKind.Team, account.Record.TeamId, cancellationToken).ConfigureAwait(false);
            user = await _owners.GetAsync(KeyOwnerKind.User, account.Record.UserId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreDown(ex))
        {
            return KeyRefusals.Unavailable(StoreDown(ex));
        }

        GatewayInstruments.Admitted(context, model, account.Record.Alias ?? account.Record.Hash[..8]);
        estimatedTokens = Math.Max(0, estimatedTokens);
        return _shared is not null && (HasLimits(account.Record) || HasLimits(team?.Record) || HasLimits(user?.Record))
            ? await AdmitSharedAsync(account, team, user, model, estimatedCost, estimatedTokens, modelInfo, stream, cancellationToken).ConfigureAwait(false)
            : Admit(account, team, user, model, estimatedCost, estimatedTokens, modelInfo);
    }

    /// <summary>
    /// Checks only who is asking, for calls that spend nothing (<c>count_tokens</c>, the model list): the key must exist and be
    /// neither blocked nor expired, and may use <paramref name="model"/> when one is given (and the server serves it). No
    /// limit or budget is taken.
    /// </summary>
    /// <returns>The refusal to send back, or <see langword="null"/> when the caller may proceed.</returns>
    public async ValueTask<GatewayError?> CheckAsync(HttpContext context, string? model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_masterHash is null)
        {
            return Served(model);
        }

        if (KeyOf(context.Request.Headers) is not { } key)
        {
            return KeyRefusals.Unauthorized(NoKey).Error;
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        if (CryptographicOperations.FixedTimeEquals(hash, _masterHash))
        {
            return Served(model);
        }

        KeyAccount? account;
        OwnerAccount? team, user;
        try
        {
            account = _keys is null ? null : await _keys.GetAsync(Convert.ToHexStringLower(hash), cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return KeyRefusals.Unauthorized(UnknownKey).Error;
            }

            team = await _owners!.GetAsync(KeyOwnerKind.Team, account.Record.TeamId, cancellationToken).ConfigureAwait(false);
            user = await _owners.GetAsync(KeyOwnerKind.User, account.Record.UserId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreDown(ex))
        {
            return KeyRefusals.Unavailable(StoreDown(ex)).Error;
        }

        DateTimeOffset now = _time.GetUtcNow();
        lock (account.Gate)
        {
            if (KeyRefusals.Identify(account, model, now) is { } refused)
            {
                return refused.Error;
            }
        }

        return KeyRefusals.IdentifyOwner(team, model)?.Error ?? KeyRefusals.IdentifyOwner(user, model)?.Error ?? Served(model);
    }

    /// <summary>Returns whether <paramref name="context"/> carries the master key (what the admin API requires).</summary>
    public bool IsMaster(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _masterHash is not null && KeyOf(context.Request.Headers) is { } key
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), _masterHash);
    }

    /// <summary>
    /// Returns the live spend of a key this process has served (newer than the store's until written), or <see langword="null"/>
    /// to use the store's (always, with shared limits: other instances spend too).
    /// </summary>
    public decimal? LiveSpend(string hash) => _shared is null ? _keys?.LiveSpend(hash) : null;

    /// <summary>Returns the live spend of a user or team, as <see cref="LiveSpend(string)"/> does a key's.</summary>
    public decimal? LiveSpend(KeyOwnerKind kind, string id) => _shared is null ? _owners?.LiveSpend(kind, id) : null;

    /// <summary>Reads a changed key's record again, so its next request sees the change (the admin API calls it after each update).</summary>
    public Task RefreshAsync(string hash, CancellationToken cancellationToken) => _keys?.RefreshAsync(hash, cancellationToken) ?? Task.CompletedTask;

    /// <summary>Drops deleted keys: their next request is refused; calls in flight finish and settle.</summary>
    public void Forget(IEnumerable<string> hashes) => _keys?.Forget(hashes);

    /// <summary>Waits until the spend settled so far is written to the store (for shutdown and tests).</summary>
    public async Task FlushAsync()
    {
        if (_owners is not null)
        {
            await _owners.FlushAsync().ConfigureAwait(false);
        }

        if (_keys is not null)
        {
            await _keys.FlushAsync().ConfigureAwait(false);
        }

        if (_shared is not null)
        {
            try
            {
                await _shared.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The database is away: the leases left are reclaimed at their estimates once this instance stops beating.
            }
        }
    }

    /// <summary>Ends a lease held in the shared limits: written off the request path.</summary>
    internal void Settle(Guid lease, decimal actual, long tokens) => _shared!.Settle(lease, actual, tokens);

    /// <summary>Ends a lease: gives back its place and reservation, counts its cost, corrects its token count.</summary>
    internal void Settle(KeyAccount account, decimal reserved, decimal actual, RateLimitTicket ticket, long tokens, in OwnerLeases owners = default)
    {
        if (owners.Team is { } team)
        {
            _owners!.Settle(team, reserved, actual, owners.TeamTicket, tokens);
        }

        if (owners.User is { } user)
        {
            _owners!.Settle(user, reserved, actual, owners.UserTicket, tokens);
        }

        _keys!.Settle(account, reserved, actual, ticket, tokens);
    }

    /// <summary>The key a request carries: a bearer token, else <c>x-api-key</c> (Anthropic), else <c>x-goog-api-key</c> (Gemini).</summary>
    internal static string? KeyOf(IHeaderDictionary headers)
    {
        StringValues authorization = headers.Authorization;
        if (authorization.Count > 0 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.Length > 7)
        {
            return value[7..].Trim();
        }

        return NonEmpty(headers["x-api-key"]) ?? NonEmpty(headers["x-goog-api-key"]);

        static string? NonEmpty(StringValues values) => values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;
    }

    private KeyAdmission Admit(KeyAccount account, OwnerAccount? team, OwnerAccount? user, string model, decimal? estimatedCost, long estimatedTokens, ModelInfo? info)
    {
        // One fixed lock order, team, then user, then key (nothing takes them the other way), so admissions cannot deadlock,
        // and all three are checked and reserved together or not at all.
        team?.Gate.Enter();
        try
        {
            user?.Gate.Enter();
            try
            {
                lock (account.Gate)
                {
                    return AdmitLocked(account, team, user, model, estimatedCost, estimatedTokens, info);
                }
            }
            finally
            {
                user?.Gate.Exit();
            }
        }
        finally
        {
            team?.Gate.Exit();
        }
    }

    private KeyAdmission AdmitLocked(KeyAccount account, OwnerAccount? team, OwnerAccount? user, string model, decimal? estimatedCost, long estimatedTokens, ModelInfo? info)
    {
        DateTimeOffset now = _time.GetUtcNow();
        decimal amount = estimatedCost ?? 0;
        bool newPeriod = false;
        VirtualKey key = account.Record;
        if ((KeyRefusals.Identify(account, model, now) ?? KeyRefusals.IdentifyOwner(team, model) ?? KeyRefusals.IdentifyOwner(user, model)) is { } refused)
        {
            return refused;
        }

        if (Served(model) is { } notServed)
        {
            return KeyAdmission.Refuse(notServed);
        }

        if (account.ResetAt is { } resetAt && now >= resetAt)
        {
            // A new budget period: what the old one spent no longer counts (calls still in flight settle into the new one).
            account.Spent = 0;
            account.Unsaved = 0;
            account.ResetAt = KeyDuration.TryParse(key.BudgetDuration, out KeyDuration? duration) ? NextReset(resetAt, duration.Value, now) : null;
            account.UnsavedReset = (account.ResetAt, true);
            newPeriod = true;
        }

        team = team is { Deleted: false } ? team : null;
        user = user is { Deleted: false } ? user : null;
        if (team is not null)
        {
            _owners!.ResetIfDueLocked(team, now);
        }

        if (user is not null)
        {
            _owners!.ResetIfDueLocked(user, now);
        }

        if (key.MaxParallelRequests is int parallel && account.InFlight >= parallel)
        {
            return KeyRefusals.KeyParallel(account, account.InFlight);
        }

        if ((KeyRefusals.ParallelRefusal(user) ?? KeyRefusals.ParallelRefusal(team)) is { } busy)
        {
            return busy;
        }

        if ((KeyRefusals.BudgetRefusal("key", account.DisplayName, "/key/update", key.MaxBudget, account.Spent, account.Reserved, amount, estimatedCost, account.ResetAt, now)
            ?? KeyRefusals.BudgetRefusal(user, amount, estimatedCost, now) ?? KeyRefusals.BudgetRefusal(team, amount, estimatedCost, now)) is { } spent)
        {
            return spent;
        }

        // Rate limits last, team first: a ticket taken before a later refusal gives its tokens back (its request slot stays taken for the minute).
        RateLimitTicket teamTicket = default, userTicket = default, ticket = default;
        if (team?.Limiter is { } teamLimiter && !(teamTicket = teamLimiter.TryAcquire(estimatedTokens)).Acquired)
        {
            return KeyRefusals.RateRefusal(team, teamTicket, estimatedTokens);
        }

        if (user?.Limiter is { } userLimiter && !(userTicket = userLimiter.TryAcquire(estimatedTokens)).Acquired)
        {
            team?.Limiter?.Reconcile(teamTicket, 0);
            return KeyRefusals.RateRefusal(user, userTicket, estimatedTokens);
        }

        if (account.Limiter is { } limiter)
        {
            ticket = limiter.TryAcquire(estimatedTokens);
            if (!ticket.Acquired)
            {
                team?.Limiter?.Reconcile(teamTicket, 0);
                user?.Limiter?.Reconcile(userTicket, 0);
                return KeyRefusals.KeyRate(account, ticket.RetryAfter, estimatedTokens);
            }
        }

        account.InFlight++;
        account.Reserved += amount;
        foreach (OwnerAccount? owner in (ReadOnlySpan<OwnerAccount?>)[team, user])
        {
            if (owner is not null)
            {
                owner.InFlight++;
                owner.Reserved += amount;
            }
        }

        if (newPeriod)
        {
            _keys!.StartSavingLocked(account);
        }

        return KeyAdmission.Admit(new KeyLease(this, account, info, amount, estimatedTokens, ticket, new OwnerLeases(team, teamTicket, user, userTicket)));
    }

    /// <summary>Whether an exception means the store could not be reached (rather than a bug), so the caller gets a 503 to retry.</summary>
    private static bool IsStoreDown(Exception ex) => ex is StoreUnavailableException or DbException or SocketException or TimeoutException;

    private static string StoreDown(Exception ex) => ex is StoreUnavailableException ? ex.Message : "the key store cannot be reached.";

    internal static DateTimeOffset NextReset(DateTimeOffset reset, KeyDuration duration, DateTimeOffset now)
    {
        // A gateway idle for several periods skips them: the next reset is the first one still ahead.
        DateTimeOffset next = duration.After(reset);
        for (int i = 0; next <= now && i < 10_000; i++)
        {
            next = duration.After(next);
        }

        return next <= now ? duration.After(now) : next;
    }

    /// <summary>The 404 for a model outside <see cref="GatewayServerOptions.Models"/>, or <see langword="null"/> when it is served (or none is named).</summary>
    private GatewayError? Served(string? model) => model is null || _served is null || _served.Allows(model) ? null : ServedModels.NotServed(model);
}
