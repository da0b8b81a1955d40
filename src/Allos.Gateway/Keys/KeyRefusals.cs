using System.Globalization;
using Allos.Gateway.Server.Errors;
using Allos.Storage;
using Microsoft.AspNetCore.Http;

namespace Allos.Gateway.Server.Keys;

/// <summary>Why the gate refuses a request, each with the status and a message saying what to do about it.</summary>
internal static class KeyRefusals
{
    /// <summary>The checks of a key's team or user: blocked (teams only, as LiteLLM) and model not allowed.</summary>
    internal static KeyAdmission? IdentifyOwner(OwnerAccount? owner, string? model)
    {
        if (owner is null || owner.Deleted)
        {
            return null;
        }

        KeyOwner record = owner.Record;
        if (record.Blocked)
        {
            return KeyAdmission.Refuse(new GatewayError(StatusCodes.Status401Unauthorized, GatewayErrorKind.Authentication,
                $"The {owner.Noun} '{owner.DisplayName}' is blocked, and with it this key. Ask the gateway's admin to unblock it (/{owner.Noun}/update with \"blocked\": false)."));
        }

        if (model is not null && !Allows(record.Models, model))
        {
            return KeyAdmission.Refuse(new GatewayError(StatusCodes.Status403Forbidden, GatewayErrorKind.Permission,
                $"The {owner.Noun} '{owner.DisplayName}' of this key may not use the model '{model}'; it may use: {string.Join(", ", record.Models)}.", Param: "model"));
        }

        return null;
    }

    internal static KeyAdmission? ParallelRefusal(OwnerAccount? owner) =>
        owner is not null && owner.Record.MaxParallelRequests is int parallel && owner.InFlight >= parallel ? OwnerParallel(owner, owner.InFlight) : null;

    internal static KeyAdmission OwnerParallel(OwnerAccount owner, int inFlight) =>
        Limited(GatewayErrorKind.RateLimited, TimeSpan.FromSeconds(1),
            $"The {owner.Noun} '{owner.DisplayName}' has {inFlight} requests in flight across its keys, its max_parallel_requests; retry when one ends.");

    internal static KeyAdmission KeyParallel(KeyAccount account, int inFlight) =>
        Limited(GatewayErrorKind.RateLimited, TimeSpan.FromSeconds(1),
            $"The key '{account.DisplayName}' has {inFlight} requests in flight, its max_parallel_requests; retry when one ends.");

    internal static KeyAdmission RateRefusal(OwnerAccount owner, RateLimitTicket ticket, long estimatedTokens) => OwnerRate(owner, ticket.RetryAfter, estimatedTokens);

    internal static KeyAdmission OwnerRate(OwnerAccount owner, TimeSpan? retryAfter, long estimatedTokens) =>
        Limited(GatewayErrorKind.RateLimited, retryAfter,
            $"Rate limit reached for the {owner.Noun} '{owner.DisplayName}' (rpm_limit {Limit(owner.Record.RpmLimit)}, tpm_limit {Limit(owner.Record.TpmLimit)} per minute across its keys; " +
            $"this request needs about {estimatedTokens} tokens). Retry later.");

    internal static KeyAdmission KeyRate(KeyAccount account, TimeSpan? retryAfter, long estimatedTokens) =>
        Limited(GatewayErrorKind.RateLimited, retryAfter,
            $"Rate limit reached for the key '{account.DisplayName}' (rpm_limit {Limit(account.Record.RpmLimit)}, tpm_limit {Limit(account.Record.TpmLimit)} per minute; this request needs about {estimatedTokens} tokens). Retry later.");

    /// <summary>The 503 of a store that cannot be reached while a request's key or limits are checked: nothing was reserved.</summary>
    internal static KeyAdmission Unavailable(string reason) =>
        KeyAdmission.Refuse(new GatewayError(StatusCodes.Status503ServiceUnavailable, GatewayErrorKind.Overloaded,
            $"The gateway cannot check this request's key and limits: {reason} Retry shortly.", TimeSpan.FromSeconds(1)));

    internal static KeyAdmission? BudgetRefusal(OwnerAccount? owner, decimal amount, decimal? estimatedCost, DateTimeOffset now) =>
        owner is null ? null : BudgetRefusal(owner.Noun, owner.DisplayName, $"/{owner.Noun}/update", owner.Record.MaxBudget, owner.Spent, owner.Reserved, amount, estimatedCost, owner.ResetAt, now);

    /// <summary>The 429 of a budget (a key's, user's or team's) that cannot hold the call's reservation, or <see langword="null"/>.</summary>
    internal static KeyAdmission? BudgetRefusal(string noun, string name, string update, decimal? maxBudget, decimal spent, decimal reserved, decimal amount, decimal? estimatedCost, DateTimeOffset? resetAt, DateTimeOffset now)
    {
        if (maxBudget is not decimal max)
        {
            return null;
        }

        decimal committed = spent + reserved;
        if (committed < max && committed + amount <= max)
        {
            return null;
        }

        // Only calls in flight stand in the way: their reservations come back when they settle.
        TimeSpan? retry = spent + amount <= max && spent < max ? TimeSpan.FromSeconds(1) : resetAt - now;
        string wait = resetAt is { } at ? $", wait for the budget to reset at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : string.Empty;
        string call = estimatedCost is null ? string.Empty : $"; this call could cost up to ${amount.ToString("0.######", CultureInfo.InvariantCulture)}";
        return Limited(GatewayErrorKind.Budget, retry,
            $"Budget exceeded: the {noun} '{name}' has ${Math.Max(0, max - committed).ToString("0.######", CultureInfo.InvariantCulture)} left of its max_budget of " +
            $"${max.ToString("0.######", CultureInfo.InvariantCulture)} (spent or reserved ${committed.ToString("0.######", CultureInfo.InvariantCulture)}){call}. " +
            $"Raise max_budget with {update}{wait}, or lower max_tokens.");
    }

    /// <summary>The checks of who is asking, under the account's lock: deleted, blocked, expired, model not allowed.</summary>
    internal static KeyAdmission? Identify(KeyAccount account, string? model, DateTimeOffset now)
    {
        VirtualKey key = account.Record;
        if (account.Deleted)
        {
            return Unauthorized("Invalid API key: it was deleted. Ask the gateway's admin for a new key.");
        }

        if (key.Blocked)
        {
            return Unauthorized($"The key '{account.DisplayName}' is blocked. Ask the gateway's admin to unblock it (/key/update with \"blocked\": false).");
        }

        if (key.Expires is { } expires && now >= expires)
        {
            return Unauthorized($"The key '{account.DisplayName}' expired at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Ask the gateway's admin for a new key or a later expiry.");
        }

        if (model is not null && !Allows(key.Models, model))
        {
            return KeyAdmission.Refuse(new GatewayError(StatusCodes.Status403Forbidden, GatewayErrorKind.Permission,
                $"The key '{account.DisplayName}' may not use the model '{model}'; it may use: {string.Join(", ", key.Models)}.", Param: "model"));
        }

        return null;
    }

    internal static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "none";

    internal static bool Allows(IReadOnlyList<string> models, string model)
    {
        if (models.Count == 0)
        {
            return true;
        }

        foreach (string allowed in models)
        {
            if (allowed.EndsWith('*') ? model.StartsWith(allowed.AsSpan(0, allowed.Length - 1), StringComparison.OrdinalIgnoreCase) : string.Equals(allowed, model, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    internal static KeyAdmission Unauthorized(string message) =>
        KeyAdmission.Refuse(new GatewayError(StatusCodes.Status401Unauthorized, GatewayErrorKind.Authentication, message));

    internal static KeyAdmission Limited(GatewayErrorKind kind, TimeSpan? retryAfter, string message) =>
        KeyAdmission.Refuse(new GatewayError(StatusCodes.Status429TooManyRequests, kind, message, retryAfter));
}
