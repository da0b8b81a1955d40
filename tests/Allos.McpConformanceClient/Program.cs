using Allos.Mcp;
using Allos.Tools;

// Run by the conformance runner as: Allos.McpConformanceClient <server-url>, with MCP_CONFORMANCE_SCENARIO set.
// Every scenario gets the same client an agent uses: McpServers connects and lists the tools, each tool is called through
// its Allos Tool with arguments made from its schema, and disposing closes the session (DELETE). Exit code 1 = a failure.
if (args is not [var url] || !Uri.TryCreate(url, UriKind.Absolute, out Uri? endpoint))
{
    Console.Error.WriteLine("usage: Allos.McpConformanceClient <server-url>");
    return 2;
}

string scenario = Environment.GetEnvironmentVariable("MCP_CONFORMANCE_SCENARIO") ?? "(none)";
Console.WriteLine($"scenario {scenario}, server {endpoint}");
var server = new McpServerOptions { Name = "conformance", Url = endpoint, Timeout = TimeSpan.FromSeconds(15) };
int failures = 0;
await using (var servers = new McpServers([server]))
{
    McpServerStatus status = await servers.ConnectAsync(server.Name);
    if (!status.Connected)
    {
        Console.Error.WriteLine($"not connected: {status.Error}");
        return 1;
    }

    Console.WriteLine($"tools: {string.Join(", ", status.Tools.Select(tool => tool.Name))}");
    foreach (Tool tool in status.Tools)
    {
        try
        {
            object? result = await tool.InvokeAsync(SchemaArguments.For(tool.JsonSchema));
            Console.WriteLine($"{tool.Name}: {result}");
        }
        catch (ToolException ex)
        {
            failures++;
            Console.Error.WriteLine($"{tool.Name} failed: {ex.Message}");
        }
    }
}

return failures == 0 ? 0 : 1;
