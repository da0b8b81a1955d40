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

        Router router;
        AllosOptions options;
        try
        {
            options = File.Exists(config) ? AllosConfiguration.LoadFile(config) : new AllosOptions();
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
            await output.WriteLineAsync($"Allos gateway listening on {string.Join(", ", app.Urls)}").ConfigureAwait(false);
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
