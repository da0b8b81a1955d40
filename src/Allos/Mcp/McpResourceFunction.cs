using System.Globalization;
using System.Text;
using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// The two tools through which the model reaches a server's resources: <c>mcp__SERVER__list_resources</c> (resources and
/// URI templates) and <c>mcp__SERVER__read_resource</c> (<c>{uri}</c>). Text contents are returned as they are, binary
/// ones as a line with their MIME type and size; a failed read (an unknown URI) is a <see cref="ToolException"/>.
/// </summary>
internal sealed class McpResourceFunction : AIFunction
{
    /// <summary>The MCP-side names of the two tools, as <c>tools:</c> and <c>exclude:</c> name them.</summary>
    public const string ListName = "list_resources";

    public const string ReadName = "read_resource";

    private static readonly JsonElement NoArguments = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    private static readonly JsonElement UriArgument = JsonDocument.Parse("""
        {"type":"object","properties":{"uri":{"type":"string","description":"The resource's URI, as list_resources gives it or a URI template with its {placeholders} filled in"}},"required":["uri"]}
        """).RootElement.Clone();

    private readonly McpServerConnection _connection;
    private readonly bool _read;

    public McpResourceFunction(McpServerConnection connection, string mcpName, string name)
    {
        _connection = connection;
        _read = mcpName == ReadName;
        Name = name;
        string list = McpToolNames.Compose(connection.Name, ListName);
        string read = McpToolNames.Compose(connection.Name, ReadName);
        Description = _read
            ? $"Reads a resource of the MCP server '{connection.Name}' by its URI (from {list}, or one of its URI templates filled in). Text is returned as it is; binary contents are described by their MIME type and size."
            : $"Lists the resources (documents, data) the MCP server '{connection.Name}' offers, with their URIs, names, MIME types and descriptions, and the URI templates of resources built from parameters. Read one with {read}.";
        JsonSchema = _read ? UriArgument : NoArguments;
        AdditionalProperties = new Dictionary<string, object?>
        {
            [McpToolFunction.ServerKey] = connection.Name,
            [McpToolFunction.ToolKey] = mcpName,
        };
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        try
        {
            return _read ? await ReadAsync(Uri(arguments), cancellationToken).ConfigureAwait(false) : await ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (McpServerException ex)
        {
            throw new ToolException(ex.Message, ex);
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        IList<McpClientResource> resources = await _connection.RequestAsync("list its resources", (client, token) => client.ListResourcesAsync(cancellationToken: token), cancellationToken).ConfigureAwait(false);
        IList<McpClientResourceTemplate> templates = await _connection.RequestAsync("list its resource templates", (client, token) => client.ListResourceTemplatesAsync(cancellationToken: token), cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Resources of MCP server '{_connection.Name}': {resources.Count}");
        foreach (McpClientResource resource in resources)
        {
            Resource info = resource.ProtocolResource;
            text.Append(CultureInfo.InvariantCulture, $"\n- {info.Uri}{Details(info.Name, info.MimeType, info.Size)}{(info.Description is { Length: > 0 } description ? ": " + description.ReplaceLineEndings(" ") : "")}");
        }

        if (templates.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nURI templates (fill in the {{placeholders}}, then read the URI): {templates.Count}");
            foreach (McpClientResourceTemplate template in templates)
            {
                ResourceTemplate info = template.ProtocolResourceTemplate;
                text.Append(CultureInfo.InvariantCulture, $"\n- {info.UriTemplate}{Details(info.Name, info.MimeType, null)}{(info.Description is { Length: > 0 } description ? ": " + description.ReplaceLineEndings(" ") : "")}");
            }
        }

        return text.ToString();
    }

    private async Task<string> ReadAsync(string uri, CancellationToken cancellationToken)
    {
        ReadResourceResult result = await _connection.RequestAsync($"read '{uri}'", (client, token) => client.ReadResourceAsync(uri, cancellationToken: token), cancellationToken).ConfigureAwait(false);
        if (result.Contents.Count == 0)
        {
            return $"[resource {uri} is empty]";
        }

        return string.Join("\n", result.Contents.Select(contents => contents switch
        {
            TextResourceContents text => result.Contents.Count == 1 ? text.Text : $"[{text.Uri}]\n{text.Text}",
            BlobResourceContents blob => $"[binary resource {blob.Uri}: {blob.MimeType ?? "unknown type"}, {Size(blob.DecodedData.Length)}; its bytes are not shown]",
            _ => $"[resource {contents.Uri}: {contents.MimeType ?? "unknown type"}]",
        }));
    }

    private static string Uri(AIFunctionArguments arguments) =>
        arguments.TryGetValue("uri", out object? value) && (value is JsonElement { ValueKind: JsonValueKind.String } json ? json.GetString() : value as string) is { Length: > 0 } uri
            ? uri
            : throw new ToolException("read_resource needs the resource's URI: {\"uri\": \"…\"}.");

    private static string Details(string? name, string? mimeType, long? size)
    {
        string[] parts = [.. new[] { name, mimeType, size is long bytes ? Size(bytes) : null }.Where(part => !string.IsNullOrEmpty(part))!];
        return parts.Length == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    private static string Size(long bytes) =>
        bytes >= 1024 ? $"{(bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} KB" : $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";
}
