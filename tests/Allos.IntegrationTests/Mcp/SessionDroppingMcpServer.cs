using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Mcp;

/// <summary>
/// A minimal Streamable HTTP MCP server (JSON responses; one tool <c>whoami</c>, one resource <c>session://whoami</c> and
/// one prompt <c>whoami</c>, each answering with the caller's session)
/// that can forget every session it handed out, as a restarted or expiring server does: requests that carry a forgotten
/// session id get 404, which the spec says means "initialize again".
/// </summary>
internal sealed class SessionDroppingMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HashSet<string> _sessions = [];
    private readonly Lock _lock = new();
    private int _initializes;
    private readonly ConcurrentQueue<string> _refused = new();

    private SessionDroppingMcpServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Gets how many sessions were initialized.</summary>
    public int Initializes => Volatile.Read(ref _initializes);

    /// <summary>Gets the methods of the requests answered 404, in order.</summary>
    public IReadOnlyList<string> Refused => [.. _refused];

    public static async Task<SessionDroppingMcpServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        SessionDroppingMcpServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new SessionDroppingMcpServer(app, new Uri(address.TrimEnd('/') + "/mcp"));
        return server;
    }

    /// <summary>Gets or sets an HTTP status that every tools/call and resources/read of a known session gets instead of an answer (a failing server).</summary>
    public int? CallStatus { get; set; }

    /// <summary>Forgets every session, so their next requests get 404.</summary>
    public void DropSessions()
    {
        lock (_lock)
        {
            _sessions.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string? session = context.Request.Headers["Mcp-Session-Id"].FirstOrDefault();
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            // No server-to-client stream (GET) in this server; DELETE of a session is accepted.
            context.Response.StatusCode = HttpMethods.IsDelete(context.Request.Method) ? 200 : 405;
            return;
        }

        JsonNode request = (await JsonNode.ParseAsync(context.Request.Body))!;
        string method = (string)request["method"]!;
        JsonNode? id = request["id"]?.DeepClone();
        if (method == "initialize")
        {
            string created = Guid.NewGuid().ToString("N");
            lock (_lock)
            {
                _sessions.Add(created);
            }

            Interlocked.Increment(ref _initializes);
            context.Response.Headers["Mcp-Session-Id"] = created;
            string version = (string?)request["params"]?["protocolVersion"] is { } asked && asked.StartsWith("2025-", StringComparison.Ordinal) ? asked : "2025-06-18";
            await ReplyAsync(context, id, new JsonObject
            {
                ["protocolVersion"] = version,
                ["capabilities"] = new JsonObject { ["tools"] = new JsonObject(), ["resources"] = new JsonObject(), ["prompts"] = new JsonObject() },
                ["serverInfo"] = new JsonObject { ["name"] = "session-dropping", ["version"] = "1.0" },
            });
            return;
        }

        bool known;
        lock (_lock)
        {
            known = session is not null && _sessions.Contains(session);
        }

        // 404 only for a session id it does not know (the spec's "initialize again"); a request without one (the SDK's
        // server/discover probe of newer protocol versions) is simply not understood.
        if (!known && session is not null)
        {
            _refused.Enqueue(method);
            context.Response.StatusCode = 404;
            return;
        }

        if (id is null)
        {
            context.Response.StatusCode = 202;
            return;
        }

        if (known && method is ("tools/call" or "resources/read") && CallStatus is int status)
        {
            context.Response.StatusCode = status;
            return;
        }

        switch (known ? method : "")
        {
            case "tools/list":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["tools"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "whoami",
                        ["description"] = "Answers with the caller's session",
                        ["inputSchema"] = new JsonObject { ["type"] = "object" },
                    }),
                });
                break;
            case "tools/call":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"session {session}" }),
                });
                break;
            case "resources/list":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["resources"] = new JsonArray(new JsonObject { ["uri"] = "session://whoami", ["name"] = "whoami" }),
                });
                break;
            case "resources/read":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["contents"] = new JsonArray(new JsonObject { ["uri"] = "session://whoami", ["text"] = $"session {session}" }),
                });
                break;
            case "prompts/list":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["prompts"] = new JsonArray(new JsonObject { ["name"] = "whoami", ["description"] = "Says the caller's session" }),
                });
                break;
            case "prompts/get":
                await ReplyAsync(context, id, new JsonObject
                {
                    ["messages"] = new JsonArray(new JsonObject
                    {
                        ["role"] = "user",
                        ["content"] = new JsonObject { ["type"] = "text", ["text"] = $"session {session}" },
                    }),
                });
                break;
            default:
                await WriteAsync(context, new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = id,
                    ["error"] = new JsonObject { ["code"] = -32601, ["message"] = $"Method not found: {method}" },
                });
                break;
        }
    }

    private static Task ReplyAsync(HttpContext context, JsonNode? id, JsonObject result) =>
        WriteAsync(context, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result });

    private static async Task WriteAsync(HttpContext context, JsonObject message)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(message.ToJsonString(JsonSerializerOptions.Default));
    }
}
