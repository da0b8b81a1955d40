using Allos.Tools;

namespace Allos.Mcp;

/// <summary>Turns a server's tool list into Allos tools: names, the allow and exclude lists, permissions from annotations and configuration.</summary>
internal static class McpToolMapping
{
    /// <param name="connection">The server.</param>
    /// <param name="listed">Its tools.</param>
    /// <param name="resources">Whether it offers resources: then <c>list_resources</c> and <c>read_resource</c> are added, after its own tools (which win a name).</param>
    public static (IReadOnlyList<Tool> Tools, IReadOnlyList<string> Warnings) ToTools(McpServerConnection connection, IReadOnlyList<ModelContextProtocol.Protocol.Tool> listed, bool resources = false)
    {
        McpServerOptions options = connection.Options;
        var tools = new List<Tool>();
        var warnings = new List<string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string allowed in options.Tools ?? [])
        {
            if (!listed.Any(tool => tool.Name == allowed) && !(resources && allowed is McpResourceFunction.ListName or McpResourceFunction.ReadName))
            {
                warnings.Add($"MCP server '{options.Name}': tools: lists '{allowed}', which the server does not offer ({string.Join(", ", listed.Select(t => t.Name))}).");
            }
        }

        foreach (ModelContextProtocol.Protocol.Tool tool in listed)
        {
            if ((options.Tools is { } allow && !allow.Contains(tool.Name)) || options.Exclude.Contains(tool.Name))
            {
                continue;
            }

            string name = McpToolNames.Compose(options.Name, tool.Name);
            if (!byName.TryAdd(name, tool.Name))
            {
                warnings.Add($"MCP server '{options.Name}': the tools '{byName[name]}' and '{tool.Name}' both become '{name}'; '{tool.Name}' is left out (exclude one of them to silence this).");
                continue;
            }

            try
            {
                tools.Add(Tool.From(new McpToolFunction(connection, tool, name), Risk(tool), Permission(options, tool), Timeout.InfiniteTimeSpan));
            }
            catch (ArgumentException ex)
            {
                warnings.Add($"MCP server '{options.Name}': '{tool.Name}' is left out, its input schema cannot be used: {ex.Message}");
            }
        }

        if (resources)
        {
            foreach (string resourceTool in (string[])[McpResourceFunction.ListName, McpResourceFunction.ReadName])
            {
                if ((options.Tools is { } allow && !allow.Contains(resourceTool)) || options.Exclude.Contains(resourceTool))
                {
                    continue;
                }

                string name = McpToolNames.Compose(options.Name, resourceTool);
                if (!byName.TryAdd(name, resourceTool))
                {
                    warnings.Add($"MCP server '{options.Name}': its tool '{byName[name]}' has the name of the resource tool '{name}', which is left out.");
                    continue;
                }

                // Reading is what resources are for: allowed unless the configuration says otherwise.
                ToolPermission permission = options.ToolApprovals.TryGetValue(resourceTool, out ToolPermission own) ? own : options.Approval ?? ToolPermission.Allow;
                tools.Add(Tool.From(new McpResourceFunction(connection, resourceTool, name), ToolRisk.ReadOnly, permission, Timeout.InfiniteTimeSpan));
            }
        }

        return (tools, warnings);
    }

    /// <summary>Configuration first (a tool's own entry, then the server's), then the annotations: read-only and closed-world is allowed, anything else asks.</summary>
    public static ToolPermission Permission(McpServerOptions options, ModelContextProtocol.Protocol.Tool tool)
    {
        if (options.ToolApprovals.TryGetValue(tool.Name, out ToolPermission own))
        {
            return own;
        }

        if (options.Approval is ToolPermission server)
        {
            return server;
        }

        // Hints are the server's claims, so only the combination that promises no side effects and no outside world
        // runs without asking; a destructive hint asks whatever else it says.
        ModelContextProtocol.Protocol.ToolAnnotations? hints = tool.Annotations;
        return hints is { ReadOnlyHint: true } && hints.DestructiveHint != true && hints.OpenWorldHint != true
            ? ToolPermission.Allow
            : ToolPermission.Ask;
    }

    private static ToolRisk Risk(ModelContextProtocol.Protocol.Tool tool) => tool.Annotations switch
    {
        { ReadOnlyHint: true, DestructiveHint: not true, OpenWorldHint: true } => ToolRisk.Network,
        { ReadOnlyHint: true, DestructiveHint: not true } => ToolRisk.ReadOnly,
        _ => ToolRisk.Writes,
    };
}
