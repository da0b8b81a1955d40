using System.CommandLine;
using Allos.Cli.Settings;
using Allos.Providers;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos providers</c> (alias <c>list-providers</c>): known providers, which are configured, and where their key comes from.</summary>
internal static class ProvidersCommand
{
    public static Command Create()
    {
        var command = new Command("providers", "Known providers, which are configured, and where their key and endpoint come from");
        command.Aliases.Add("list-providers");
        command.SetAction(_ =>
        {
            var console = new CliConsole();
            var table = new Table().AddColumns("provider", "protocol", "configured", "key", "endpoint");
            foreach (string name in ProviderRegistry.Default.Providers)
            {
                ProviderSetup setup = ProviderSetup.Of(ProviderRegistry.Default.Describe(name)!);
                (ProviderInfo info, string? keyVariable, string? endpoint) = setup;
                string key = keyVariable is not null ? $"from {keyVariable}"
                    : info.RequiresApiKey ? $"missing: set {string.Join(" or ", info.ApiKeyVariables)}"
                    : "not needed";
                string where = endpoint is not null ? $"{endpoint} (from {info.EndpointVariable})"
                    : info.DefaultEndpoint ?? $"missing: set {info.EndpointVariable}";
                table.AddRow(Markup.Escape(name), info.Protocol, setup.Configured ? "yes" : "no", Markup.Escape(key), Markup.Escape(where));
            }

            console.RichOut.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
