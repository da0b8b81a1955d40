using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway;

/// <summary>Adds the budget layer to a <see cref="ChatClientBuilder"/>.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>Refuses calls that could overspend a budget with a <see cref="BudgetExceededException"/>, before they are sent.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds the budgets; the clock defaults to the <see cref="TimeProvider"/> registered in the services.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    /// <remarks>Put it inside the response cache, so cache hits cost nothing. The layer's counters live in it: build the pipeline once and share it.</remarks>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, Action<BudgetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.Use((inner, services) =>
        {
            var options = new BudgetOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(options);
            return new BudgetChatClient(inner, options);
        });
    }
}
