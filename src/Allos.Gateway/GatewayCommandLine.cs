using System.Globalization;
using Allos.Configuration;
using Allos.Storage;
using Allos.Storage.Postgres;
using Microsoft.AspNetCore.Builder;

namespace Allos.Gateway.Server;

/// <summary>Reads <c>--config</c>, <c>--host</c> and <c>--port</c>, loads the configuration and runs the server until Ctrl-C.</summary>
internal static class GatewayCommandLine
{
    /// <summary>Exit code of a configuration error (file and line are in the message), as the CLI's.</summary>
    public const int ConfigurationError = 3;

    public const int UsageError = 2;

    /// <summary>The master key: <c>ALLOS_MASTER_KEY</c>, else <c>gateway.master_key</c>, or <see langword="null"/> when neither is set.</summary>
    internal static string? MasterKey(Func<string, string?> environment, GatewaySettings? settings) =>
        environment("ALLOS_MASTER_KEY") is { } key && !string.IsNullOrWhiteSpace(key) ? key.Trim() : settings?.MasterKey;

    /// <summary>The server's options: flags first, then allos.yaml's <c>gateway:</c> section, then the defaults.</summary>
    public static GatewayServerOptions ServerOptions(Router router, GatewaySettings? settings, string? host, int? port)
    {
        var options = new GatewayServerOptions { Router = router, MasterKey = MasterKey(Environment.GetEnvironmentVariable, settings) };
        options.Host = host ?? settings?.Host ?? options.Host;
        options.Port = port ?? settings?.Port ?? options.Port;
        options.Metrics = settings?.Metrics ?? options.Metrics;
        options.OtlpEndpoint = settings?.OtlpEndpoint;
        foreach (string model in settings?.Models ?? [])
        {
            options.Models.Add(model);
        }

        return options;
    }

    /// <summary>Applies allos.yaml's <c>gateway:</c> settings that belong to a shared PostgreSQL store.</summary>
    internal static void ConfigureStore(PostgresStoreOptions postgres, GatewaySettings? settings)
    {
        postgres.InstanceHeartbeat = settings?.InstanceHeartbeat ?? postgres.InstanceHeartbeat;
        postgres.InstanceTimeout = settings?.InstanceTimeout ?? postgres.InstanceTimeout;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string config = "allos.yaml";
        string? host = null;
        int? port = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--config" when value is not null:
                    config = value;
                    i++;
                    break;
                case "--host" when value is not null:
                    host = value;
                    i++;
                    break;
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is >= 0 and <= 65535:
                    port = number;
                    i++;
                    break;
                default:
                    await error.WriteLineAsync($"allos-gateway: unknown or incomplete option '{args[i]}'. Usage: [--config allos.yaml] [--host 127.0.0.1] [--port 4000]").ConfigureAwait(false);
                    return UsageError;
            }
        }

        AllosOptions options;
        try
        {
            options = File.Exists(config) ? AllosConfiguration.LoadFile(config) : new AllosOptions();
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        return await ServeAsync(options, host, port, output, error).ConfigureAwait(false);
    }

    /// <summary>Builds the Router from <paramref name="options"/>, starts the server, prints where it listens and runs until Ctrl-C or SIGTERM.</summary>
    /// <remarks>
    /// <c>allos serve</c> calls it after its own settings discovery. A configuration error is printed (with file and line) and
    /// returns 3. Every request is recorded in the Allos database's spend log; on shutdown, after in-flight requests drain,
    /// the log is flushed before the file is closed, so no row is lost.
    /// </remarks>
    public static async Task<int> ServeAsync(AllosOptions options, string? host, int? port, TextWriter output, TextWriter error)
    {
        RouterOptions routerOptions;
        try
        {
            routerOptions = options.CreateRouterOptions();
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        AllosStore store;
        try
        {
            // Virtual keys and the spend log live in the Allos database beside sessions and telemetry: the SQLite file,
            // or the PostgreSQL database store: (or ALLOS_DATABASE_URL) names, which several instances can share.
            // redis: (or ALLOS_REDIS_URL alone) puts Redis in front of that database's shared limits.
            Allos.Storage.Redis.RedisOptions? redis = options.Redis
                ?? (Environment.GetEnvironmentVariable(Allos.Storage.Redis.RedisOptions.UrlVariable) is { Length: > 0 } url ? new() { Url = url } : null);
            if (redis is not null && !AllosStore.IsPostgresSetting(AllosStore.ResolveSetting(options.Store)))
            {
                await error.WriteLineAsync($"{Allos.Storage.Redis.RedisOptions.UrlVariable} speeds up the shared limits of the PostgreSQL store; set store: (or {AllosStore.DatabaseUrlVariable}) to a postgres:// URL, or unset it.").ConfigureAwait(false);
                return ConfigurationError;
            }

            store = await AllosStore.OpenAsync(options.Store, postgres =>
            {
                ConfigureStore(postgres, options.Gateway);
                postgres.Redis = redis;
            }).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        Router? router = null;
        WebApplication? app = null;
        GatewayServerOptions? server = null;
        try
        {
            // gateway.spend_log: false keeps the calls out of the database (the spend log is the Router's call records).
            if (options.Gateway?.SpendLog is not false)
            {
                routerOptions.Telemetry ??= store.Telemetry;
            }

            // Several instances on one PostgreSQL database: a deployment one cools down, all skip (null for SQLite).
            routerOptions.SharedCooldowns ??= store.SharedCooldowns;

            try
            {
                router = new Router(routerOptions);
            }
            catch (ConfigurationException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ConfigurationError;
            }

            server = ServerOptions(router, options.Gateway, host, port);
            if (GatewayServer.ExposureProblem(server) is { } exposed)
            {
                await error.WriteLineAsync(exposed).ConfigureAwait(false);
                return ConfigurationError;
            }

            server.SpendLog = routerOptions.Telemetry;
            if (server.MasterKey is not null)
            {
                server.Keys = store.Keys;
            }

            app = GatewayServer.Create(server);
            await app.StartAsync().ConfigureAwait(false);

            // The bound address (with --port 0, the port the system picked), so scripts and tests can read it.
            await output.WriteLineAsync($"Allos gateway listening on {string.Join(", ", app.Urls)}").ConfigureAwait(false);
            await output.WriteLineAsync(server.MasterKey is null
                ? "No master key: listening on loopback only, and requests need no key. Set ALLOS_MASTER_KEY (or gateway.master_key) to require keys and turn on the /key admin API."
                : $"Master key set: every request needs a key; virtual keys are in {store.Location}.").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (app is not null)
            {
                // Disposing stops the host: in-flight requests and streams finish first (up to DrainTimeout).
                await app.DisposeAsync().ConfigureAwait(false);
                await server!.Gate.FlushAsync().ConfigureAwait(false);
            }

            router?.Dispose();

            // The last calls' rows were queued as their streams ended: write them before the file closes.
            try
            {
                await store.Telemetry.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                await error.WriteLineAsync($"error: the last spend-log rows could not be written to {store.Location}: {ex.Message}").ConfigureAwait(false);
            }

            await store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
