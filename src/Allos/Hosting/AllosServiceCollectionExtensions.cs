using Allos;
using Allos.Agents;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Hosting;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Allos.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

// The namespace of IServiceCollection, as for every Microsoft.Extensions.* registration: AddAllos shows up without a using.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Allos in a dependency-injection container: the Router, its chat clients, the stores, the tools and agent runners.</summary>
/// <remarks>
/// <para>
/// Everything is registered with <c>TryAdd*</c>, so a service registered before <c>AddAllos</c> wins, and calling it twice
/// registers nothing the second time. Registered, all as singletons:
/// </para>
/// <list type="bullet">
/// <item><description><see cref="AllosOptions"/>, as bound or configured;</description></item>
/// <item><description><see cref="Router"/>, from <see cref="AllosOptions.CreateRouterOptions"/>, logging to the container's <see cref="ILoggerFactory"/>,
/// on its <see cref="TimeProvider"/> and recording to its <see cref="ITelemetryStore"/>, unless the options set their own;</description></item>
/// <item><description><see cref="IChatClient"/>: the Router bound to <see cref="AllosOptions.DefaultModel"/> (the Router itself, requests then naming
/// their model, when there is none); and for each alias of the <c>models:</c> section, a keyed <see cref="IChatClient"/>
/// whose key is the alias as written there;</description></item>
/// <item><description><see cref="ISessionStore"/> and <see cref="ITelemetryStore"/>: the SQLite store of <see cref="SqliteStoreOptions"/>
/// (default <see cref="AllosPaths.DatabasePath"/>), opened on first use, so registering and resolving create no file;</description></item>
/// <item><description><see cref="ToolRegistry"/>, with the built-in tools, and an <see cref="AgentRunnerFactory"/> over all of the above.</description></item>
/// </list>
/// <para>Everything registered here can also be built without a container; see <see cref="Router"/> and <see cref="AgentRunnerFactory"/>.</para>
/// </remarks>
public static class AllosServiceCollectionExtensions
{
    /// <summary>Registers Allos with options bound from <paramref name="configuration"/>.</summary>
    /// <param name="services">The container's services.</param>
    /// <param name="configuration">
    /// The Allos section, such as <c>builder.Configuration.GetSection("Allos")</c>; its keys are those of <c>allos.yaml</c>
    /// (see <see cref="AllosConfiguration.FromConfiguration"/>).
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ConfigurationException">A key is unknown or a value invalid; the message names its path.</exception>
    public static IServiceCollection AddAllos(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services, AllosConfiguration.FromConfiguration(configuration));
    }

    /// <summary>Registers Allos with options set in code.</summary>
    /// <param name="services">The container's services.</param>
    /// <param name="configure">Sets the options (default model, <see cref="AllosOptions.Router"/> groups and settings); run once, now.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddAllos(this IServiceCollection services, Action<AllosOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new AllosOptions { Source = nameof(AddAllos) };
        configure(options);
        return Register(services, options);
    }

    /// <summary>A <c>store:</c> that names a file (not PostgreSQL) is the SQLite file to use; nothing set is the user's default.</summary>
    private static string ResolveSqlitePath(string? store) =>
        AllosStore.ResolveSetting(store) is { } setting && !AllosStore.IsPostgresSetting(setting) ? setting : AllosPaths.DatabasePath;

    private static IServiceCollection Register(IServiceCollection services, AllosOptions options)
    {
        // As when read from allos.yaml: the run's default model is the Router's.
        options.Router.DefaultModel ??= options.DefaultModel;

        services.TryAddSingleton(options);
        services.TryAddSingleton(_ => new SqliteStoreOptions { Path = ResolveSqlitePath(options.Store) });
        // store: (or ALLOS_DATABASE_URL) naming PostgreSQL chooses the shared store; otherwise the SQLite file of SqliteStoreOptions.
        services.TryAddSingleton(provider => new LazyStore(async () =>
            AllosStore.IsPostgresSetting(AllosStore.ResolveSetting(options.Store))
                ? await AllosStore.OpenAsync(options.Store).ConfigureAwait(false)
                : new AllosStore(await SqliteStore.OpenAsync(provider.GetRequiredService<SqliteStoreOptions>()).ConfigureAwait(false))));
        services.TryAddSingleton<ISessionStore>(provider => new LazySessionStore(provider.GetRequiredService<LazyStore>()));
        services.TryAddSingleton<ITelemetryStore>(provider => new LazyTelemetryStore(provider.GetRequiredService<LazyStore>()));
        services.TryAddSingleton(CreateRouter);
        services.TryAddSingleton(DefaultClient);

        // Keyed by the alias as written: keyed services compare keys exactly, while the Router ignores case.
        foreach (ModelGroup group in options.Router.Groups)
        {
            services.TryAddKeyedSingleton<IChatClient>(group.Alias, static (provider, key) => provider.GetRequiredService<Router>().For((string)key!));
        }

        services.TryAddSingleton(_ => ToolRegistry.CreateWithBuiltIns());
        services.TryAddSingleton(provider => new AgentRunnerFactory(
            provider.GetRequiredService<Router>().For,
            provider.GetRequiredService<ToolRegistry>(),
            provider.GetRequiredService<AllosOptions>(),
            provider.GetService<ILoggerFactory>()));
        return services;
    }

    private static Router CreateRouter(IServiceProvider provider)
    {
        AllosOptions options = provider.GetRequiredService<AllosOptions>();

        // Before CreateRouterOptions, which opens the cache on the Router's clock.
        if (options.Router.TimeProvider == TimeProvider.System && provider.GetService<TimeProvider>() is { } time)
        {
            options.Router.TimeProvider = time;
        }

        RouterOptions router = options.CreateRouterOptions();
        if (router.LoggerFactory is NullLoggerFactory && provider.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            router.LoggerFactory = loggerFactory;
        }

        router.Telemetry ??= provider.GetService<ITelemetryStore>();
        return new Router(router);
    }

    private static IChatClient DefaultClient(IServiceProvider provider)
    {
        Router router = provider.GetRequiredService<Router>();
        return provider.GetRequiredService<AllosOptions>().Router.DefaultModel is { Length: > 0 } model
            ? router.For(model)
            : new SharedChatClient(router);
    }
}
