using System.Reflection;
using System.Text.Json;
using Allos.Tools;
using Tool = Allos.Tools.Tool;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Allos.Mcp;

/// <summary>
/// Serves Allos tools to other MCP clients over standard input and output: every call is checked against the tool's
/// schema, confined to the workspace, capped and redacted exactly as in an Allos run, and a failed call is an
/// <c>isError</c> result.
/// </summary>
/// <remarks>
/// Security: whoever connects runs these tools without being asked, so serve only tools safe to run unattended in
/// the workspace (read-only ones, unless the user chose otherwise).
/// </remarks>
public static class McpToolServer
{
    private static readonly string Version = typeof(McpToolServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>Serves <paramref name="tools"/> over standard input and output until the client disconnects or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="tools">The tools to offer, under their own names.</param>
    /// <param name="workspace">The folder every path argument must stay inside.</param>
    /// <param name="options">How calls run (timeouts, result size); <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    public static async Task ServeStdioAsync(IEnumerable<Tool> tools, Workspace workspace, ToolExecutionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(workspace);
        Dictionary<string, Tool> byName = tools.ToDictionary(tool => tool.Name, StringComparer.Ordinal);
        var executor = new ToolExecutor(options ?? new ToolExecutionOptions());

        // The SDK's server options, not Allos's McpServerOptions (which describe servers Allos connects to).
        var serverOptions = new ModelContextProtocol.Server.McpServerOptions
        {
            ServerInfo = new Implementation { Name = "allos", Version = Version },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. byName.Values.Select(Describe)] }),
                CallToolHandler = async (request, token) =>
                {
                    CallToolRequestParams call = request.Params ?? throw new ModelContextProtocol.McpProtocolException("tools/call needs params.", ModelContextProtocol.McpErrorCode.InvalidParams);
                    var arguments = call.Arguments?.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal) ?? [];
                    var content = new FunctionCallContent(Guid.NewGuid().ToString("N"), call.Name, arguments);
                    Tool? tool = byName.GetValueOrDefault(call.Name);
                    var context = new ToolContext { CallId = content.CallId, ToolName = call.Name, Workspace = workspace };
                    ToolCallResult result = await executor.ExecuteAsync(tool, content, context, byName.Keys, token).ConfigureAwait(false);
                    return new CallToolResult
                    {
                        Content = [new TextContentBlock { Text = result.Text }],
                        IsError = result.Outcome != ToolCallOutcome.Ok,
                    };
                },
            },
        };

        McpServer server = McpServer.Create(new StdioServerTransport("allos"), serverOptions);
        await using (server.ConfigureAwait(false))
        {
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static ModelContextProtocol.Protocol.Tool Describe(Tool tool) => new()
    {
        Name = tool.Name,
        Description = tool.Description,
        InputSchema = tool.JsonSchema.ValueKind == JsonValueKind.Object ? tool.JsonSchema : JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone(),
        Annotations = new ToolAnnotations
        {
            ReadOnlyHint = tool.Risk == ToolRisk.ReadOnly,
            DestructiveHint = tool.Risk >= ToolRisk.Writes,
            OpenWorldHint = tool.Risk == ToolRisk.Network,
        },
    };
}
