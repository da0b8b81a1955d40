namespace Allos.Gateway;

/// <summary>What one call reserved: the accounts it counts against and the amount held on each.</summary>
internal readonly record struct BudgetHold(BudgetAccount[]? Accounts, decimal Amount);
