using System.CommandLine;
using Allos.Mcp;
using Allos.Tools;
using Allos.Tools.BuiltIn;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos tools</c> (alias <c>list-tools</c>): each tool with its risk, its default permission and its groups.</summary>
internal static class ToolsCommand
{
    public static Command Create()
    {
        var command = new Command("tools", "Built-in and MCP tools: risk, default permission (under --autonomy supervised) and groups");
        command.Aliases.Add("list-tools");
        command.SetAction(async (_, cancellationToken) =>
        {
            var console = new CliConsole();
            ToolRegistry registry = ToolRegistry.CreateWithBuiltIns();
            IReadOnlyList<McpServerStatus> servers;
            try
            {
                // The configured MCP servers are started to list their tools, and closed again.
                await using var mcp = McpServerConfig.Open();
                servers = await mcp.ConnectAllAsync(cancellationToken);
            }
            catch (ConfigurationException ex)
            {
                return Output.ErrorReport.Report(console, ex, json: false, verbose: false);
            }

            var table = new Table().AddColumns("tool", "risk", "permission", "groups", "description");
            foreach (Tool tool in registry.Tools)
            {
                string groups = string.Join(",", BuiltInTools.Groups.Where(group => group.Value.Contains(tool.Name)).Select(group => group.Key));
                AddRow(table, tool, groups);
            }

            foreach (McpServerStatus server in servers)
            {
                foreach (Tool tool in server.Tools)
                {
                    AddRow(table, tool, $"mcp,{McpServers.GroupName(server.Name)}");
                }
            }

            console.RichOut.Write(table);
            foreach (McpServerStatus server in servers.Where(server => server.Error is not null))
            {
                console.Error.WriteLine($"error: {server.Error}");
            }

            McpCommand.WriteWarnings(console, servers);
            console.Error.WriteLine("ask = asks before running (y/n/a/d); -y or --autonomy autonomous runs them without asking; --autonomy manual asks for every tool.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void AddRow(Table table, Tool tool, string groups)
    {
        string description = tool.Description.ReplaceLineEndings(" ");
        description = description.Length > 70 ? description[..69] + "…" : description;
        table.AddRow(Markup.Escape(tool.Name), tool.Risk.ToString().ToLowerInvariant(), McpCommand.PermissionText(tool), groups, Markup.Escape(description));
    }
}
