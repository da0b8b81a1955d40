using System.CommandLine;
using Allos.Tools;
using Allos.Tools.BuiltIn;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos tools</c> (alias <c>list-tools</c>): each tool with its risk, its default permission and its groups.</summary>
internal static class ToolsCommand
{
    public static Command Create()
    {
        var command = new Command("tools", "Built-in tools: risk, default permission (under --autonomy supervised) and groups");
        command.Aliases.Add("list-tools");
        command.SetAction(_ =>
        {
            var console = new CliConsole();
            ToolRegistry registry = ToolRegistry.CreateWithBuiltIns();
            var table = new Table().AddColumns("tool", "risk", "permission", "groups", "description");
            foreach (Tool tool in registry.Tools)
            {
                ToolPermission permission = tool.Permission ?? (tool.Risk >= ToolRisk.Network ? ToolPermission.Ask : ToolPermission.Allow);
                string groups = string.Join(",", BuiltInTools.Groups.Where(group => group.Value.Contains(tool.Name)).Select(group => group.Key));
                string description = tool.Description.Length > 70 ? tool.Description[..69] + "…" : tool.Description;
                table.AddRow(tool.Name, tool.Risk.ToString().ToLowerInvariant(), permission.ToString().ToLowerInvariant(), groups, Markup.Escape(description));
            }

            console.RichOut.Write(table);
            console.Error.WriteLine("ask = asks before running (y/n/a/d); -y or --autonomy autonomous runs them without asking; --autonomy manual asks for every tool.");
            return ExitCodes.Success;
        });
        return command;
    }
}
