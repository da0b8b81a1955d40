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
                if (name == "bedrock")
                {
                    // AWS's credential chain and a region-bound endpoint: resolved as a call would resolve them.
                    var (bedrockEndpoint, endpointSource, _, _, credentials, _) = Allos.Providers.Bedrock.BedrockSetup.Inspect(Environment.GetEnvironmentVariable);
                    table.AddRow("bedrock", "bedrock-converse", credentials is not null ? "yes" : "no",
                        Markup.Escape(credentials is not null ? $"from {credentials}" : "missing: set the AWS_ACCESS_KEY_ID pair, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK"),
                        Markup.Escape(bedrockEndpoint is not null ? $"{bedrockEndpoint} (from {endpointSource})" : "missing: set AWS_REGION or BEDROCK_BASE_URL"));
                    continue;
                }

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
