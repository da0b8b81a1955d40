namespace Allos.Gateway;

/// <summary>A spending limit in US dollars for one scope over one period, enforced by the <see cref="Router"/> before each call.</summary>
/// <param name="Scope">What the limit applies to.</param>
/// <param name="Period">When the spending counter starts again (UTC day or month, or never).</param>
/// <param name="Limit">The most that may be spent in a period, in US dollars.</param>
/// <remarks>
/// <see cref="Key"/> narrows the budget to one alias, user key or session; without it each alias, user key or session
/// has its own limit of this size. Calls whose model price is unknown cost nothing as far as budgets can tell.
/// </remarks>
public sealed record Budget(BudgetScope Scope, BudgetPeriod Period, decimal Limit)
{
    /// <summary>Gets the one alias, user key or session this budget applies to. Default: <see langword="null"/> (each has its own). Ignored for <see cref="BudgetScope.Global"/>.</summary>
    public string? Key { get; init; }
}
