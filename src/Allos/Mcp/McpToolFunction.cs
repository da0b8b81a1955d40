using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// One MCP tool under its Allos name (<c>mcp__server__tool</c>), with the server's description and input schema; a call
/// goes through the server's <see cref="McpServerConnection"/> (so a restarted server is used) and an <c>isError</c>
/// result becomes a <see cref="ToolException"/>, which the model reads as a tool error. A result with images is returned
/// as a list of <see cref="AIContent"/> (see <see cref="McpResultText.Contents"/>).
/// </summary>
internal sealed class McpToolFunction : AIFunction
{
    /// <summary>The keys of <see cref="AdditionalProperties"/> that say where an MCP tool comes from.</summary>
    public const string ServerKey = "allos.mcp.server";

    public const string ToolKey = "allos.mcp.tool";

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    private readonly McpServerConnection _connection;
    private readonly ModelContextProtocol.Protocol.Tool _tool;

    public McpToolFunction(McpServerConnection connection, ModelContextProtocol.Protocol.Tool tool, string name)
    {
        _connection = connection;
        _tool = tool;
        Name = name;
        JsonSchema = tool.InputSchema.ValueKind == JsonValueKind.Object ? tool.InputSchema : EmptyObject;
        AdditionalProperties = new Dictionary<string, object?>
        {
            [ServerKey] = connection.Name,
            [ToolKey] = tool.Name,
        };
    }

    public override string Name { get; }

    public override string Description => _tool.Description ?? _tool.Title ?? _tool.Annotations?.Title ?? "";

    public override JsonElement JsonSchema { get; }

    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; }

    /// <summary>Gets the tool as the server described it.</summary>
    public ModelContextProtocol.Protocol.Tool ProtocolTool => _tool;

    /// <summary>Describes the MCP origin of <paramref name="function"/> ("MCP server 'files', tool 'write_file'"), or <see langword="null"/> for another tool.</summary>
    public static string? Origin(AIFunction function) =>
        function.AdditionalProperties.TryGetValue(ServerKey, out object? server) && function.AdditionalProperties.TryGetValue(ToolKey, out object? tool)
            ? $"MCP server '{server}', tool '{tool}'"
            : null;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var copy = new Dictionary<string, object?>(arguments.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            copy[argument.Key] = argument.Value;
        }

        IProgress<ToolProgress>? progress = arguments.Context?.TryGetValue(typeof(ToolContext), out object? context) == true ? (context as ToolContext)?.Progress : null;
        CallToolResult result = await _connection.CallToolAsync(_tool.Name, copy, progress, cancellationToken).ConfigureAwait(false);
        if (result.IsError == true)
        {
            string text = McpResultText.Of(result);
            throw new ToolException(text.Length > 0 ? text : $"'{_tool.Name}' of MCP server '{_connection.Name}' reported an error without a message.");
        }

        // A string, or text and images as AIContent: the executor redacts the text and passes the images on.
        return McpResultText.Contents(result);
    }
}
