using Allos.Gateway.Server.Keys;
using Allos.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Allos.Gateway.Server.Metrics;

/// <summary>
/// Wires the gateway's and the Router's instruments to OpenTelemetry: <c>GET /metrics</c> in Prometheus's text format, and
/// traces and metrics over OTLP when an endpoint is configured (<see cref="GatewayServerOptions.OtlpEndpoint"/>, or the
/// standard <c>OTEL_EXPORTER_OTLP_*</c> variables).
/// </summary>
internal static class GatewayTelemetry
{
    /// <summary>The standard variable naming the OTLP collector; the exporter reads it and its siblings (protocol, headers) itself.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddServices(IServiceCollection services, GatewayServerOptions options)
    {
        bool otlp = options.OtlpEndpoint is not null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        if (!options.Metrics && !otlp)
        {
            return; // Nobody listens: every instrument's Enabled is false and recording costs a branch.
        }

        OpenTelemetryBuilder telemetry = services.AddOpenTelemetry();
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(AllosTelemetry.MeterName, GatewayInstruments.MeterName);
            if (options.Metrics)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, options.OtlpEndpoint, "v1/metrics");
                    if (options.OtlpExportInterval is { } interval)
                    {
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
                    }
                });
            }
        });

        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(AllosTelemetry.SourceName).AddOtlpExporter(exporter => Configure(exporter, options.OtlpEndpoint, "v1/traces")));
        }
    }

    public static void Use(WebApplication app, GatewayServerOptions options)
    {
        app.Use(GatewayInstruments.Middleware);
        if (!options.Metrics)
        {
            return;
        }

        // With a master key, the scrape needs it too (Prometheus sends it with `authorization: {credentials: ...}`): the
        // series name keys and models. Without one the server is on loopback only.
        KeyGate gate = options.Gate;
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/metrics") && gate.RequiresKey && !gate.IsMaster(context), refused => refused.Run(static context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return context.Response.WriteAsync("/metrics needs the master key: Authorization: Bearer <ALLOS_MASTER_KEY>.\n");
        }));
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>An endpoint given in code is the collector's base URL over HTTP/protobuf; each signal posts to its own path.</summary>
    private static void Configure(OtlpExporterOptions exporter, Uri? endpoint, string signalPath)
    {
        if (endpoint is null)
        {
            return;
        }

        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
    }
}
