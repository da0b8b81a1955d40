using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// Modes: (none) serves the tools below; "fail-start" writes a reason to stderr and exits before answering;
// "roots-listed" also lists a tool "rooted" whose description names the client's roots (so a listing shows them).
if (args is ["fail-start", ..])
{
    Console.Error.WriteLine("fault server: cannot start, FAULT_TOKEN is missing");
    return 7;
}

Console.Error.WriteLine($"fault server: started (pid {Environment.ProcessId})");
var tools = new McpServerPrimitiveCollection<McpServerTool>();
tools.Add(McpServerTool.Create(([Description("Text to send back")] string text) => $"echo: {text}",
    new McpServerToolCreateOptions { Name = "echo", Description = "Sends the text back", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(() => Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    new McpServerToolCreateOptions { Name = "pid", Description = "The server's process id", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(string () =>
{
    Console.Error.WriteLine("fault server: crashing on purpose in the middle of a call");
    Console.Error.Flush();
    Environment.Exit(3);
    return "unreachable";
}, new McpServerToolCreateOptions { Name = "crash", Description = "Exits the process in the middle of the call", ReadOnly = true, OpenWorld = false }));
int cancelled = 0;
tools.Add(McpServerTool.Create(async ([Description("Seconds to wait")] double seconds, CancellationToken cancellationToken) =>
{
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
    }
    catch (OperationCanceledException)
    {
        // The SDK cancels the token when the client sends notifications/cancelled for this request.
        Interlocked.Increment(ref cancelled);
        Console.Error.WriteLine("fault server: a slow call was cancelled by the client");
        throw;
    }

    return "done";
}, new McpServerToolCreateOptions { Name = "slow", Description = "Answers after a delay", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(() => Volatile.Read(ref cancelled).ToString(System.Globalization.CultureInfo.InvariantCulture),
    new McpServerToolCreateOptions { Name = "cancelled", Description = "How many slow calls the client cancelled", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(async ([Description("Steps to report")] int steps, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken) =>
{
    for (int step = 1; step <= steps; step++)
    {
        progress.Report(new ProgressNotificationValue { Progress = step, Total = steps, Message = $"step {step} of {steps}" });
        await Task.Delay(50, cancellationToken);
    }

    return $"finished {steps} steps";
}, new McpServerToolCreateOptions { Name = "progress", Description = "Reports progress for each step, then answers", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(() => new CallToolResult
{
    IsError = true,
    Content = [new TextContentBlock { Text = "the disk quota of the fault server is exceeded" }],
}, new McpServerToolCreateOptions { Name = "fail", Description = "Returns an isError result", ReadOnly = true, OpenWorld = false }));
tools.Add(McpServerTool.Create(() => "deleted nothing (a test)",
    new McpServerToolCreateOptions { Name = "delete_everything", Description = "Destructive, by its annotations", Destructive = true, ReadOnly = false }));
tools.Add(McpServerTool.Create(() => "fetched nothing (a test)",
    new McpServerToolCreateOptions { Name = "fetch", Description = "Read-only but open-world", ReadOnly = true, OpenWorld = true }));
tools.Add(McpServerTool.Create(() => "no hints",
    new McpServerToolCreateOptions { Name = "plain", Description = "No annotations at all" }));
tools.Add(McpServerTool.Create(async (McpServer self, CancellationToken cancellationToken) =>
{
    self.ServerOptions.ToolCollection!.Add(McpServerTool.Create(() => "I am new", new McpServerToolCreateOptions { Name = "added", Description = "Added at run time", ReadOnly = true, OpenWorld = false }));

    // Said explicitly, so the test does not depend on whether the SDK announces collection changes by itself.
    await self.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, cancellationToken);
    return "added the tool 'added'";
}, new McpServerToolCreateOptions { Name = "add_tool", Description = "Adds a tool named 'added'", ReadOnly = true, OpenWorld = false }));

#pragma warning disable MCP9005 // Roots are deprecated from protocol 2026-07-28; the client still answers servers that ask.
tools.Add(McpServerTool.Create(async (McpServer self, CancellationToken cancellationToken) =>
{
    if (self.ClientCapabilities?.Roots is null)
    {
        return "the client does not offer roots";
    }

    ListRootsResult roots = await self.RequestRootsAsync(new ListRootsRequestParams(), cancellationToken);
    return string.Join("\n", roots.Roots.Select(root => $"{root.Name}={root.Uri}"));
}, new McpServerToolCreateOptions { Name = "roots", Description = "Asks the client for its roots and lists them", ReadOnly = true, OpenWorld = false }));
#pragma warning restore MCP9005

var options = new McpServerOptions
{
    ServerInfo = new Implementation { Name = "allos-fault-server", Version = "1.0" },
    Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } },
    ToolCollection = tools,
};

if (args is ["roots-listed", ..])
{
#pragma warning disable MCP9005 // As the roots tool above.
    options.Handlers.ListToolsHandler = async (request, cancellationToken) =>
    {
        string roots = request.Server.ClientCapabilities?.Roots is null
            ? "none offered"
            : string.Join(", ", (await request.Server.RequestRootsAsync(new ListRootsRequestParams(), cancellationToken)).Roots.Select(root => root.Name));
        return new ListToolsResult
        {
            Tools = [new Tool { Name = "rooted", Description = $"roots: {roots}", InputSchema = System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone() }],
        };
    };
#pragma warning restore MCP9005
}

await using McpServer server = McpServer.Create(new StdioServerTransport("faults"), options);
await server.RunAsync();
return 0;
