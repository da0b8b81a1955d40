using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>The MCP client over Streamable HTTP, against server-everything's HTTP transport on a free local port.</summary>
public sealed class McpHttpTests : IAsyncLifetime
{
    private Process _server = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(McpPeers.NpmServer("server-everything"));
        start.ArgumentList.Add("streamableHttp");
        start.Environment["PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server = Process.Start(start)!;
        _server.BeginOutputReadLine();

        // It says so on standard error once it listens.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _server.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains("listening on port", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        _ = _server.StandardError.ReadToEndAsync();
    }

    public Task DisposeAsync()
    {
        _server.Kill(entireProcessTree: true);
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Tool_OverStreamableHttp_ListsAndCallsTheServersTools()
    {
        var options = new McpServerOptions { Name = "web", Url = new Uri($"http://127.0.0.1:{_port}/mcp") };
        options.Headers["X-Allos-Test"] = "1";
        await using var servers = new McpServers([options]);
        var registry = new ToolRegistry();

        await servers.AddToolsAsync(registry, ["mcp__web"]);

        registry.TryGet("mcp__web__echo", out Tool echo).ShouldBeTrue(string.Join(", ", registry.Names));
        (await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "over http" })).ShouldBe("Echo: over http");
        (await servers.ConnectAsync("web")).Transport.ShouldBe("http");
    }

    [Fact]
    public async Task ConnectAsync_NothingListensAtTheUrl_IsReportedWithTheServersName()
    {
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var servers = new McpServers([new McpServerOptions { Name = "gone", Url = new Uri($"http://127.0.0.1:{closed}/mcp"), Timeout = TimeSpan.FromSeconds(10) }]);

        McpServerStatus status = await servers.ConnectAsync("gone");

        status.State.ShouldBe("failed");
        status.Error!.ShouldContain("MCP server 'gone' failed to start");
    }
}
