using Allos.Models;
using Allos.Storage;

namespace Allos.Gateway;

/// <summary>Configures the budget layer (<see cref="BudgetChatClientBuilderExtensions.UseBudgets"/>).</summary>
/// <remarks>
/// Before each call the layer reserves its most possible cost (estimated input tokens and the output limit, at the model's
/// catalog price) on every budget that applies, all or nothing; afterwards it settles with the actual cost. A model without
/// a known price reserves nothing, but a budget already spent still refuses it. The user and session a budget counts
/// against come from <see cref="RouterChatOptions.WithUser"/> and <see cref="RouterChatOptions.WithSession"/>;
/// <see cref="BudgetScope.Alias"/> counts by <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>, else the client's model.
/// </remarks>
public sealed class BudgetOptions
{
    /// <summary>Gets the spending limits checked before every call.</summary>
    public IList<Budget> Budgets { get; } = [];

    /// <summary>Gets or sets the store whose recorded spending for the current period the counters start from, so limits survive restarts.</summary>
    /// <value>The default value is <see langword="null"/> (counters start at zero).</value>
    public ITelemetryStore? Store { get; set; }

    /// <summary>Gets or sets the catalog that gives prices and output limits.</summary>
    /// <value>The default value is <see cref="ModelCatalog.Default"/>.</value>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets the clock that places calls in budget periods.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
