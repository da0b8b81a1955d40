using System.Globalization;
using Allos.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Allos.Gateway.Server;

/// <summary>Reads <c>--config</c>, <c>--host</c> and <c>--port</c>, loads the configuration and runs the server until Ctrl-C.</summary>
internal static class GatewayCommandLine
{
    /// <summary>Exit code of a configuration error (file and line are in the message), as the CLI's.</summary>
    public const int ConfigurationError = 3;

    public const int UsageError = 2;

    /// <summary>The server's options: flags first, then allos.yaml's <c>gateway:</c> section, then the defaults.</summary>
    public static GatewayServerOptions ServerOptions(Router router, GatewaySettings? settings, string? host, int? port)
    {
        var options = new GatewayServerOptions { Router = router };
        options.Host = host ?? settings?.Host ?? options.Host;
        options.Port = port ?? settings?.Port ?? options.Port;
        foreach (string model in settings?.Models ?? [])
        {
            options.Models.Add(model);
        }

        return options;
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
    /// <remarks><c>allos serve</c> calls it after its own settings discovery. A configuration error is printed (with file and line) and returns 3.</remarks>
    public static async Task<int> ServeAsync(AllosOptions options, string? host, int? port, TextWriter output, TextWriter error)
    {
        Router router;
        try
        {
            router = new Router(options.CreateRouterOptions());
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ConfigurationError;
        }

        WebApplication app = GatewayServer.Create(ServerOptions(router, options.Gateway, host, port));
        try
        {
            await app.StartAsync().ConfigureAwait(false);

            // The bound address (with --port 0, the port the system picked), so scripts and tests can read it.
            await output.WriteLineAsync($"Allos gateway listening on {string.Join(", ", app.Urls)}").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
            router.Dispose();
        }
    }
}
