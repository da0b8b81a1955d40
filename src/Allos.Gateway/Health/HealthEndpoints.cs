using System.Text.Json;
using Allos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.Health;

/// <summary>
/// <c>GET /health/liveliness</c> (the process answers) and <c>GET /health/readiness</c> (it can serve: its stores answer), as
/// LiteLLM names them. Neither needs a key: load balancers and orchestrators call them.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>How long a store may take to answer the readiness probe before the gateway counts as not ready.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        GatewayServerOptions options = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>();
        endpoints.MapGet("/health/liveliness", static () => Results.Text("{\"status\":\"alive\"}", "application/json"));
        endpoints.MapGet("/health/readiness", context => ReadinessAsync(context, options));
    }

    private static async Task ReadinessAsync(HttpContext context, GatewayServerOptions options)
    {
        string? problem = await ProbeAsync("the key store", options.Keys is { } keys ? token => keys.GetAsync("readiness-probe", token) : null, context.RequestAborted).ConfigureAwait(false);
        problem ??= await ProbeAsync("the telemetry store", options.Router.Options.Telemetry is { } telemetry ? token => telemetry.FlushAsync(token) : null, context.RequestAborted).ConfigureAwait(false);

        context.Response.StatusCode = problem is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", problem is null ? "ready" : "not_ready");
        json.WriteString("db", options.Keys is null && options.Router.Options.Telemetry is null ? "none" : problem is null ? "connected" : "unreachable");
        if (problem is not null)
        {
            json.WriteString("error", problem);
        }

        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Runs one store's probe; returns what is wrong, or <see langword="null"/> when it answered in time (or there is no such store).</summary>
    private static async Task<string?> ProbeAsync(string store, Func<CancellationToken, Task>? probe, CancellationToken aborted)
    {
        if (probe is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await probe(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return $"{store} did not answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The type only: a store's message can carry a file path or a connection string.
            return $"{store} is unreachable ({ex.GetType().Name})";
        }
    }
}
