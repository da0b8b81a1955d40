using Microsoft.Extensions.AI;

namespace Allos.Models;

/// <summary>The cost of several calls (a run, a session), which stays unknown while any call's cost is unknown.</summary>
/// <param name="KnownAmount">The sum of the calls whose cost is known, in US dollars.</param>
/// <param name="Calls">How many calls were added.</param>
/// <param name="UnknownCalls">How many of them had an unknown cost.</param>
/// <remarks>An immutable value: <see cref="Add(decimal?)"/> and <c>+</c> return a new total. <c>default</c> is the total of no calls (0).</remarks>
public readonly record struct CostTotal(decimal KnownAmount, int Calls, int UnknownCalls)
{
    /// <summary>Gets the total in US dollars, or <see langword="null"/> when any call's cost is unknown.</summary>
    public decimal? Amount => UnknownCalls == 0 ? KnownAmount : null;

    /// <summary>Gets whether every call's cost is known.</summary>
    public bool IsKnown => UnknownCalls == 0;

    /// <summary>Adds two totals (the runs of a session, for example).</summary>
    public static CostTotal operator +(CostTotal left, CostTotal right) =>
        new(left.KnownAmount + right.KnownAmount, left.Calls + right.Calls, left.UnknownCalls + right.UnknownCalls);

    /// <summary>Returns the total of <paramref name="costs"/>, one per call (<see langword="null"/> for a call of unknown cost).</summary>
    public static CostTotal Sum(IEnumerable<decimal?> costs)
    {
        ArgumentNullException.ThrowIfNull(costs);
        CostTotal total = default;
        foreach (decimal? cost in costs)
        {
            total = total.Add(cost);
        }

        return total;
    }

    /// <summary>Returns this total with one more call of cost <paramref name="cost"/> (<see langword="null"/> when unknown).</summary>
    public CostTotal Add(decimal? cost) =>
        cost is decimal known ? this with { KnownAmount = KnownAmount + known, Calls = Calls + 1 } : this with { Calls = Calls + 1, UnknownCalls = UnknownCalls + 1 };

    /// <summary>Returns this total with one more call of <paramref name="model"/> that used <paramref name="usage"/>.</summary>
    public CostTotal Add(ModelInfo model, UsageDetails usage) => Add(CostCalculator.Cost(model, usage));

    /// <summary>Adds two totals; the same as <c>+</c>.</summary>
    public CostTotal Add(CostTotal other) => this + other;
}
