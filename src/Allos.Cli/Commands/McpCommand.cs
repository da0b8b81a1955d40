using System.CommandLine;
using System.Text.Json;
using Allos.Cli.Output;
using Allos.Mcp;
using Allos.Tools;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos mcp list [--json]</c> and <c>allos mcp tools [SERVER]</c>: the configured MCP servers, started to show their state and tools; and <c>allos mcp serve</c>.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON array: [{name, transport, status, error, tools, resources}]" };
        var list = new Command("list", "Each MCP server: transport, status (connected / failed: why), tool count") { json };
        list.SetAction((result, cancellationToken) => ListAsync(result.GetValue(json), cancellationToken));

        var server = new Argument<string?>("server") { Arity = ArgumentArity.ZeroOrOne, Description = "Show only this server's tools" };
        var tools = new Command("tools", "The tools of the MCP servers: permission and description") { server };
        tools.SetAction((result, cancellationToken) => ToolsAsync(result.GetValue(server), cancellationToken));

        return new Command("mcp", "MCP servers (mcp_servers: in allos.yaml, and .mcp.json), and Allos's tools as one") { list, tools, McpServeCommand.Create() };
    }

    /// <summary>The permission a tool has under <c>--autonomy supervised</c>.</summary>
    public static string PermissionText(Tool tool) =>
        (tool.Permission ?? (tool.Risk >= ToolRisk.Network ? ToolPermission.Ask : ToolPermission.Allow)).ToString().ToLowerInvariant();

    private static async Task<int> ListAsync(bool json, CancellationToken cancellationToken)
    {
        var console = new CliConsole();
        IReadOnlyList<McpServerStatus> statuses;
        int?[] resources;
        try
        {
            await using var servers = McpServerConfig.Open();
            statuses = await servers.ConnectAllAsync(cancellationToken);
            resources = json ? await Task.WhenAll(statuses.Select(status => status.Connected ? servers.CountResourcesAsync(status.Name, cancellationToken) : Task.FromResult<int?>(null))) : [];
        }
        catch (ConfigurationException ex)
        {
            return ErrorReport.Report(console, ex, json: false, verbose: false);
        }

        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartArray();
                foreach ((McpServerStatus status, int? count) in statuses.Zip(resources))
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", status.Name);
                    writer.WriteString("transport", status.Transport);
                    writer.WriteString("status", status.State);
                    writer.WriteString("error", status.Error);
                    writer.WriteStartArray("tools");
                    foreach (Tool tool in status.Tools)
                    {
                        writer.WriteStringValue(tool.Name);
                    }

                    writer.WriteEndArray();

                    // Only servers that offer resources have the count.
                    if (count is int offered)
                    {
                        writer.WriteNumber("resources", offered);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        else if (statuses.Count == 0)
        {
            console.Error.WriteLine("No MCP servers are configured. Add them under mcp_servers: in allos.yaml, or in a .mcp.json in this folder (see the README).");
        }
        else
        {
            var table = new Table().AddColumns("server", "transport", "status", "tools", "group");
            foreach (McpServerStatus status in statuses)
            {
                string state = status.Error is { } error ? $"failed: {error}" : status.State;
                table.AddRow(Markup.Escape(status.Name), status.Transport, Markup.Escape(state), status.Connected ? status.Tools.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                    Markup.Escape(McpServers.GroupName(status.Name)));
            }

            console.RichOut.Write(table);
            WriteWarnings(console, statuses);
        }

        return statuses.Any(status => status.State == "failed") ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static async Task<int> ToolsAsync(string? only, CancellationToken cancellationToken)
    {
        var console = new CliConsole();
        IReadOnlyList<McpServerStatus> statuses;
        try
        {
            await using var servers = McpServerConfig.Open();
            if (only is not null && !servers.Servers.Any(server => server.Name == only))
            {
                console.Error.WriteLine($"error: there is no MCP server '{only}'. Servers: {(servers.Servers.Count == 0 ? "none (add them under mcp_servers: in allos.yaml or in .mcp.json)" : string.Join(", ", servers.Servers.Select(s => s.Name)))}.");
                return ExitCodes.Usage;
            }

            statuses = only is null ? await servers.ConnectAllAsync(cancellationToken) : [await servers.ConnectAsync(only, cancellationToken)];
        }
        catch (ConfigurationException ex)
        {
            return ErrorReport.Report(console, ex, json: false, verbose: false);
        }

        var table = new Table().AddColumns("tool", "server", "permission", "description");
        foreach (McpServerStatus status in statuses)
        {
            foreach (Tool tool in status.Tools)
            {
                string description = tool.Description.ReplaceLineEndings(" ");
                table.AddRow(Markup.Escape(tool.Name), Markup.Escape(status.Name), PermissionText(tool), Markup.Escape(description.Length > 70 ? description[..69] + "…" : description));
            }
        }

        console.RichOut.Write(table);
        foreach (McpServerStatus status in statuses.Where(status => status.Error is not null))
        {
            console.Error.WriteLine($"error: {status.Error}");
        }

        WriteWarnings(console, statuses);
        return statuses.Any(status => status.State == "failed") ? ExitCodes.Failed : ExitCodes.Success;
    }

    public static void WriteWarnings(CliConsole console, IEnumerable<McpServerStatus> statuses)
    {
        foreach (string warning in statuses.SelectMany(status => status.Warnings))
        {
            console.Error.WriteLine($"warning: {warning}");
        }
    }
}
