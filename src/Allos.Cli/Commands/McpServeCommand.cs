using System.CommandLine;
using Allos.Cli.Settings;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos mcp serve [--cwd DIR] [--allow-writes] [--tools LIST]</c>: the built-in tools as an MCP server over stdio,
/// confined to the workspace; only the read-only ones unless <c>--allow-writes</c>, since the client runs them without asking.
/// </summary>
internal static class McpServeCommand
{
    public static Command Create()
    {
        var cwd = new Option<string?>("--cwd") { HelpName = "DIR", Description = "The workspace the tools are confined to (default: the current folder)" };
        var allowWrites = new Option<bool>("--allow-writes") { Description = "Also serve the tools that write files, run commands or reach the network" };
        var tools = new Option<string?>("--tools", "-t") { HelpName = "LIST", Description = "Tools or groups to serve, comma-separated (default: every built-in tool allowed)" };
        var command = new Command("serve", "Serve the built-in tools to other MCP clients over stdio") { cwd, allowWrites, tools };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string workspace = Path.GetFullPath(result.GetValue(cwd) ?? Environment.CurrentDirectory);
            if (!Directory.Exists(workspace))
            {
                console.Error.WriteLine($"error: --cwd names a folder that does not exist: '{workspace}'.");
                return ExitCodes.Usage;
            }

            bool writes = result.GetValue(allowWrites);
            ToolRegistry registry;
            try
            {
                // The shell served to other clients is sandboxed as allos.yaml says, like the agent's own.
                registry = ToolRegistry.CreateWithBuiltIns(CliSettings.SandboxSetting());
            }
            catch (ConfigurationException ex)
            {
                console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Configuration;
            }

            IReadOnlyList<Tool> chosen;
            try
            {
                chosen = result.GetValue(tools) is { } list
                    ? registry.Resolve(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    : registry.Tools;
            }
            catch (ConfigurationException ex)
            {
                console.Error.WriteLine($"error: --tools: {ex.Message}");
                return ExitCodes.Usage;
            }

            Tool[] refused = [.. chosen.Where(tool => tool.Risk != ToolRisk.ReadOnly && !writes)];
            if (refused.Length > 0 && result.GetValue(tools) is not null)
            {
                console.Error.WriteLine($"error: {string.Join(", ", refused.Select(tool => tool.Name))} {(refused.Length == 1 ? "is" : "are")} not read-only; pass --allow-writes to serve {(refused.Length == 1 ? "it" : "them")}.");
                return ExitCodes.Usage;
            }

            // Standard output is the protocol's: everything else goes to standard error.
            console.Error.WriteLine($"allos mcp serve: {string.Join(", ", chosen.Where(tool => writes || tool.Risk == ToolRisk.ReadOnly).Select(tool => tool.Name))} in {workspace}");
            await McpToolServer.ServeStdioAsync(chosen.Where(tool => writes || tool.Risk == ToolRisk.ReadOnly), new Workspace(workspace), cancellationToken: cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
