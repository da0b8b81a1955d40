namespace Allos.Gateway;

/// <summary>When a <see cref="Budget"/>'s spending counter starts again.</summary>
public enum BudgetPeriod
{
    /// <summary>Each UTC day.</summary>
    Day,

    /// <summary>Each UTC calendar month.</summary>
    Month,

    /// <summary>Never: a lifetime limit.</summary>
    Total,
}
