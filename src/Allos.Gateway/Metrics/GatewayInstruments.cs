using System.Diagnostics;
using System.Diagnostics.Metrics;
using Allos.Gateway.Server.Errors;
using Microsoft.AspNetCore.Http;

namespace Allos.Gateway.Server.Metrics;

/// <summary>
/// The gateway's own instruments, beside the Router's (<see cref="Telemetry.AllosTelemetry.MeterName"/>: tokens, cost, call
/// duration and time to first token per alias, deployment and key): requests by endpoint, status and error type, their
/// duration, and how many are in flight. Recorded once per request by <see cref="Middleware"/>.
/// </summary>
internal static class GatewayInstruments
{
    /// <summary>The meter's name, for OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "Allos.Gateway.Server";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("allos.gateway.requests", "{request}", "Requests answered, by endpoint, status and error type.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("allos.gateway.request.duration", "s", "Time from a request's arrival to its last byte.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    private static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("allos.gateway.active_requests", "{request}", "Requests being handled now.");

    // Tag values are fixed strings, so recording a request allocates none.
    private static readonly string[] ErrorTypes = [.. Enum.GetNames<GatewayErrorKind>().Select(Snake)];

    /// <summary>Counts, times and tags every request to a model endpoint (<c>/v1/...</c>); the others pass untouched.</summary>
    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        string? endpoint = EndpointOf(context.Request.Path);
        if (endpoint is null || !(Requests.Enabled || Duration.Enabled || InFlight.Enabled))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var feature = new GatewayRequestFeature();
        context.Features.Set(feature);
        long start = Stopwatch.GetTimestamp();
        InFlight.Add(1, new KeyValuePair<string, object?>("allos.gateway.endpoint", endpoint));
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            InFlight.Add(-1, new KeyValuePair<string, object?>("allos.gateway.endpoint", endpoint));
            var tags = new TagList
            {
                { "allos.gateway.endpoint", endpoint },
                { "http.response.status_code", context.Response.StatusCode },
                { "allos.gateway.alias", feature.Model },
                { "allos.gateway.key", feature.Key },
            };
            string? error = feature.Error is { } kind ? ErrorTypes[(int)kind] : context.RequestAborted.IsCancellationRequested ? "cancelled" : null;
            if (error is not null)
            {
                tags.Add("error.type", error); // absent, not empty, on success: `error_type=""` would be a series of its own
            }

            Requests.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tags);
        }
    }

    /// <summary>Notes the error a request is answered with, for its <c>error.type</c> tag.</summary>
    public static void Failed(HttpContext context, GatewayErrorKind kind)
    {
        if (context.Features.Get<GatewayRequestFeature>() is { } feature)
        {
            feature.Error = kind;
        }
    }

    /// <summary>Notes what a request asked for and who sent it, once the gate has read them.</summary>
    public static void Admitted(HttpContext context, string model, string? key)
    {
        if (context.Features.Get<GatewayRequestFeature>() is { } feature)
        {
            feature.Model = model;
            feature.Key = key;
        }
    }

    private static string? EndpointOf(PathString path) =>
        path.StartsWithSegments("/v1/chat/completions") ? "chat.completions"
        : path.StartsWithSegments("/v1/messages/count_tokens") ? "messages.count_tokens"
        : path.StartsWithSegments("/v1/messages") ? "messages"
        : path.StartsWithSegments("/v1/embeddings") ? "embeddings"
        : path.StartsWithSegments("/v1/models") ? "models"
        : null;

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
