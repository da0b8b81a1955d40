using Allos.Gateway;

namespace Allos;

/// <summary>A call would take spending past a <see cref="Gateway.Budget"/>. Nothing was sent to the provider.</summary>
public sealed class BudgetExceededException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    public BudgetExceededException(Budget budget, string? key, decimal spent, decimal? estimatedCost)
        : base(Describe(budget, key, spent, estimatedCost))
    {
        ArgumentNullException.ThrowIfNull(budget);
        Budget = budget;
        Key = key;
        Spent = spent;
        EstimatedCost = estimatedCost;
    }

    /// <summary>Gets the budget that would be exceeded.</summary>
    public Budget Budget { get; }

    /// <summary>Gets the alias, user key or session the budget was counted for (<see langword="null"/> for a global budget).</summary>
    public string? Key { get; }

    /// <summary>Gets what has been spent (or reserved by calls in flight) in the current period, in US dollars.</summary>
    public decimal Spent { get; }

    /// <summary>Gets what is left in the current period, in US dollars (never negative).</summary>
    public decimal Remaining => Math.Max(0, Budget.Limit - Spent);

    /// <summary>Gets the most this call was estimated to cost, or <see langword="null"/> when the budget is already spent.</summary>
    public decimal? EstimatedCost { get; }

    private static string Describe(Budget budget, string? key, decimal spent, decimal? estimatedCost)
    {
        ArgumentNullException.ThrowIfNull(budget);
        string period = budget.Period switch
        {
            BudgetPeriod.Day => "daily",
            BudgetPeriod.Month => "monthly",
            _ => "total",
        };
        string scope = budget.Scope switch
        {
            BudgetScope.Global => "global",
            BudgetScope.Alias => $"alias '{key}'",
            BudgetScope.User => $"user '{key}'",
            _ => $"session '{key}'",
        };
        decimal remaining = Math.Max(0, budget.Limit - spent);
        string call = estimatedCost is decimal estimate ? $"; this call could cost up to ${estimate:0.######}" : string.Empty;
        return $"Budget exceeded: the {scope} {period} budget of ${budget.Limit:0.######} has ${remaining:0.######} left " +
            $"(spent or reserved ${spent:0.######}{call}). Raise the budget, wait for the next period, or lower MaxOutputTokens.";
    }
}
