using System.CommandLine;
using Allos.Configuration;
using Allos.Gateway.Server;

namespace Allos.Cli.Commands;

/// <summary><c>allos serve [--config allos.yaml] [--host 127.0.0.1] [--port 4000]</c>: the gateway server, until Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "The allos.yaml to serve (default: ./allos.yaml, else the user's allos.yaml)" };
        var host = new Option<string?>("--host") { Description = "The address to listen on (default: gateway.host, else 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "The port to listen on; 0 picks a free one (default: gateway.port, else 4000)" };
        var command = new Command("serve", "Run the gateway server: OpenAI-compatible endpoints in front of every provider") { config, host, port };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(port) is int number && number is < 0 or > 65535)
            {
                await Console.Error.WriteLineAsync($"error: --port must be 0 to 65535, not {number}.");
                return ExitCodes.Usage;
            }

            // A ConfigurationException (file:line) reaches CliApp, which reports it and exits 3, as for every command.
            AllosOptions options = Load(result.GetValue(config));
            return await GatewayCommandLine.ServeAsync(options, result.GetValue(host), result.GetValue(port), Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>The configuration to serve: the file named by --config, else the project's allos.yaml, else the user's.</summary>
    private static AllosOptions Load(string? path)
    {
        if (path is not null)
        {
            string full = Path.GetFullPath(path);
            return File.Exists(full)
                ? AllosConfiguration.LoadFile(full)
                : throw new ConfigurationException($"The configuration file '{full}' does not exist. Pass an existing allos.yaml to --config.");
        }

        string project = Path.GetFullPath("allos.yaml");
        string user = Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml");
        return File.Exists(project) ? AllosConfiguration.LoadFile(project)
            : File.Exists(user) ? AllosConfiguration.LoadFile(user)
            : new AllosOptions();
    }
}
