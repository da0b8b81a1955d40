using System.Globalization;
using Allos.Configuration;
using Allos.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace Allos.Gateway.Server;

/// <summary>Reads <c>--config</c>, <c>--host</c> and <c>--port</c>, loads the configuration and runs the server until Ctrl-C.</summary>
internal static class GatewayCommandLine
{
    /// <summary>Exit code of a configuration error (file and line are in the message), as the CLI's.</summary>
    public const int ConfigurationError = 3;

    public const int UsageError = 2;

    /// <summary>The master key: <c>ALLOS_MASTER_KEY</c>, or <see langword="null"/> when unset or blank.</summary>
    internal static string? MasterKey(Func<string, string?> environment) =>
        environment("ALLOS_MASTER_KEY") is { } key && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string config = "allos.yaml";
        string host = "127.0.0.1";
        int port = 4000;
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
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535:
                    i++;
                    break;
                default:
                    await error.WriteLineAsync($"allos-gateway: unknown or incomplete option '{args[i]}'. Usage: [--config allos.yaml] [--host 127.0.0.1] [--port 4000]").ConfigureAwait(false);
                    return UsageError;
            }
        }

        Router router;
        try
        {
            AllosOptions options = File.Exists(config) ? AllosConfiguration.LoadFile(config) : new AllosOptions();
            router = new Router(options.CreateRouterOptions());
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        var server = new GatewayServerOptions { Router = router, Host = host, Port = port, MasterKey = MasterKey(Environment.GetEnvironmentVariable) };
        if (GatewayServer.ExposureProblem(server) is { } exposed)
        {
            await error.WriteLineAsync(exposed).ConfigureAwait(false);
            router.Dispose();
            return ConfigurationError;
        }

        SqliteStore? store = null;
        WebApplication? app = null;
        try
        {
            if (server.MasterKey is not null)
            {
                // Virtual keys live in the Allos database beside sessions and telemetry.
                store = await SqliteStore.OpenDefaultAsync().ConfigureAwait(false);
                server.Keys = store.Keys;
            }

            app = GatewayServer.Create(server);
            await app.StartAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"Allos gateway listening on {string.Join(", ", app.Urls)}").ConfigureAwait(false);
            await output.WriteLineAsync(server.MasterKey is null
                ? "No master key: listening on loopback only, and requests need no key. Set ALLOS_MASTER_KEY (or gateway.master_key) to require keys and turn on the /key admin API."
                : $"Master key set: every request needs a key; virtual keys are in {store!.FilePath}.").ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        catch (StoreUnavailableException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                await server.Gate.FlushAsync().ConfigureAwait(false);
            }

            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            router.Dispose();
        }
    }
}
