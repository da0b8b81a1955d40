using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Allos.IntegrationTests.GatewayServer.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.GatewayServer.Metrics;

/// <summary>Traces and metrics pushed over OTLP/HTTP (protobuf) to a collector: here a Kestrel server that keeps what it receives.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Otlp_Configured_ExportsTheRoutersSpanAndTheMetrics()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value!, context.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();

        KeyedGateway gateway = await KeyedGateway.StartAsync((gateway, router, server) =>
        {
            router.Groups.Add(gateway.Group("otlp-gpt", "openai/gpt-4o-mini"));
            server.OtlpEndpoint = new Uri(collector.Urls.First());
            server.OtlpExportInterval = TimeSpan.FromMilliseconds(200);
        });
        await using (gateway)
        {
            gateway.Upstream.Enqueue(FakeTurn.Text("Traced.").WithUsage(10, 2));
            using HttpResponseMessage response = await gateway.ChatAsync("openai", "otlp-gpt", KeyedGateway.MasterKey);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // Disposing the gateway flushed both signals to the collector.
        var all = received.ToList();
        all.Any(r => r.Path == "/v1/traces" && r.ContentType == "application/x-protobuf" && Contains(r.Body, "chat gpt-4o-mini") && Contains(r.Body, "otlp-gpt"))
            .ShouldBeTrue($"received: {string.Join(", ", all.Select(r => r.Path))}");
        all.Any(r => r.Path == "/v1/metrics" && Contains(r.Body, "allos.gateway.requests") && Contains(r.Body, "gen_ai.client.token.usage")).ShouldBeTrue();
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
