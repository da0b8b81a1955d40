namespace Allos.Gateway;

/// <summary>Checks <see cref="RouterOptions"/> once, with messages that say what to fix.</summary>
internal static class RouterValidation
{
    public static void Validate(RouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Models, nameof(options.Models));
        ArgumentNullException.ThrowIfNull(options.Providers, nameof(options.Providers));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        ArgumentNullException.ThrowIfNull(options.Randomizer, nameof(options.Randomizer));
        ArgumentNullException.ThrowIfNull(options.LoggerFactory, nameof(options.LoggerFactory));
        Require(options.MaxRetries >= 0, $"RouterOptions.MaxRetries must be 0 or more; it was {options.MaxRetries}.");
        Require(options.RetryDelay >= TimeSpan.Zero, "RouterOptions.RetryDelay cannot be negative.");
        Require(options.MaxRetryDelay >= TimeSpan.Zero, "RouterOptions.MaxRetryDelay cannot be negative.");
        Require(options.MaxRetryAfter >= TimeSpan.Zero, "RouterOptions.MaxRetryAfter cannot be negative.");
        Require(options.CooldownFailures >= 0, "RouterOptions.CooldownFailures must be 0 (no cooldowns) or more.");
        Require(options.CooldownWindow > TimeSpan.Zero, "RouterOptions.CooldownWindow must be positive.");
        Require(options.CooldownDuration >= TimeSpan.Zero, "RouterOptions.CooldownDuration cannot be negative.");
        Require(options.RateLimitQueueTimeout >= TimeSpan.Zero, "RouterOptions.RateLimitQueueTimeout cannot be negative (use TimeSpan.Zero to fail fast).");
        Require(options.CacheTtl > TimeSpan.Zero, "RouterOptions.CacheTtl must be positive.");
        Require(options.RequestTimeout is null || options.RequestTimeout > TimeSpan.Zero, "RouterOptions.RequestTimeout must be positive (or null for none).");
        Require(options.StreamIdleTimeout is null || options.StreamIdleTimeout > TimeSpan.Zero || options.StreamIdleTimeout == Timeout.InfiniteTimeSpan,
            "RouterOptions.StreamIdleTimeout must be positive, Timeout.InfiniteTimeSpan for none, or null for the clients' default.");
        Require(options.RateLimitWindow > TimeSpan.Zero, "The rate-limit window must be positive.");

        var aliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelGroup group in options.Groups)
        {
            Require(aliases.Add(group.Alias), $"Two model groups are named '{group.Alias}'. Aliases must be unique (case does not matter).");
            Require(group.Deployments.Count > 0, $"Model group '{group.Alias}' has no deployments. Add at least one model id.");
            Require(group.Deployments.Count <= RouteGroup.MaxDeployments, $"Model group '{group.Alias}' has {group.Deployments.Count} deployments; at most {RouteGroup.MaxDeployments} are supported. Split it into groups chained by fallbacks.");
            Require(group.CacheTtl is null || group.CacheTtl > TimeSpan.Zero, $"Model group '{group.Alias}': cache TTL must be positive.");
            foreach (Deployment deployment in group.Deployments)
            {
                string where = $"Model group '{group.Alias}', deployment '{deployment.Name ?? deployment.Model}'";
                Require(deployment.Weight > 0 && double.IsFinite(deployment.Weight), $"{where}: weight must be a positive number; it was {deployment.Weight}.");
                Require(deployment.RequestsPerMinute is null or > 0, $"{where}: rpm must be positive; it was {deployment.RequestsPerMinute}.");
                Require(deployment.TokensPerMinute is null or > 0, $"{where}: tpm must be positive; it was {deployment.TokensPerMinute}.");
                Require(deployment.Timeout is null || deployment.Timeout > TimeSpan.Zero, $"{where}: timeout must be positive.");
                Require(deployment.StreamIdleTimeout is null || deployment.StreamIdleTimeout > TimeSpan.Zero || deployment.StreamIdleTimeout == Timeout.InfiniteTimeSpan,
                    $"{where}: stream_idle_timeout must be positive.");
            }
        }

        ValidateBudgets(options.Budgets, "RouterOptions.Budgets");
    }

    /// <summary>Checks budgets (the Router's or the budget layer's, named by <paramref name="where"/>).</summary>
    public static void ValidateBudgets(IEnumerable<Budget> budgets, string where)
    {
        foreach (Budget budget in budgets)
        {
            ArgumentNullException.ThrowIfNull(budget, where);
            Require(budget.Limit >= 0, $"A {budget.Scope} budget has a negative limit ({budget.Limit}).");
        }
    }

    /// <summary>Checks that every fallback and the default model name a group or a model id a provider serves.</summary>
    public static void ValidateReferences(RouterOptions options, Func<string, bool> isGroup)
    {
        foreach (ModelGroup group in options.Groups)
        {
            foreach (string fallback in group.Fallbacks.Concat(group.ContextWindowFallbacks).Concat(group.ContentPolicyFallbacks))
            {
                Resolvable(fallback, $"Model group '{group.Alias}' falls back to '{fallback}', which is");
            }
        }

        if (options.DefaultModel is string model)
        {
            Resolvable(model, $"The default model '{model}' is");
        }

        void Resolvable(string alias, string what)
        {
            if (isGroup(alias))
            {
                return;
            }

            try
            {
                options.Providers.Resolve(alias);
            }
            catch (ConfigurationException ex)
            {
                throw new ConfigurationException($"{what} neither a model group nor a model id a provider serves. {ex.Message}", ex.VariableName);
            }
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ConfigurationException(message);
        }
    }
}
