using System.Net;
using Allos.Gateway.Server.Anthropic;
using Allos.Gateway.Server.Health;
using Allos.Gateway.Server.Keys;
using Allos.Gateway.Server.Metrics;
using Allos.Gateway.Server.OpenAI;
using Allos.Gateway.Server.Spend;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Allos.Gateway.Server;

/// <summary>Builds the gateway server: one Kestrel application whose endpoints speak the OpenAI and Anthropic wire formats.</summary>
/// <remarks><c>allos serve</c> and this project's own <c>Program</c> both start it through <see cref="Create"/>.</remarks>
public static class GatewayServer
{
    /// <summary>Creates the application, listening on <see cref="GatewayServerOptions.Host"/>:<see cref="GatewayServerOptions.Port"/>; start it with <c>RunAsync</c> or <c>StartAsync</c>.</summary>
    public static WebApplication Create(GatewayServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ExposureProblem(options) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(GatewayServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.WebHost.UseUrls($"http://{UrlHost(options.Host)}:{options.Port}");
        builder.Services.AddSingleton(options);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout);
        GatewayTelemetry.AddServices(builder.Services, options);
        WebApplication app = builder.Build();
        GatewayTelemetry.Use(app, options);
        app.MapAllosGateway();
        return app;
    }

    /// <summary>Maps the gateway's endpoints onto an application whose services hold a <see cref="GatewayServerOptions"/>.</summary>
    public static IEndpointRouteBuilder MapAllosGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        HealthEndpoints.Map(endpoints);
        KeyEndpoints.Map(endpoints);
        SpendEndpoints.Map(endpoints);
        OwnerEndpoints.Map(endpoints);
        ChatCompletionsEndpoint.Map(endpoints);
        EmbeddingsEndpoint.Map(endpoints);
        ModelsEndpoint.Map(endpoints);
        AnthropicEndpoints.Map(endpoints);
        return endpoints;
    }

    /// <summary>Says why the options may not be served: a host other than loopback without a master key (anyone on the network could spend through it).</summary>
    internal static string? ExposureProblem(GatewayServerOptions options) =>
        string.IsNullOrEmpty(options.MasterKey) && !IsLoopback(options.Host)
            ? $"The gateway listens only on loopback without a master key, and '{options.Host}' is not loopback. Set ALLOS_MASTER_KEY (or gateway.master_key in allos.yaml) so every request needs a key, or use --host 127.0.0.1."
            : null;

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    private static string UrlHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
