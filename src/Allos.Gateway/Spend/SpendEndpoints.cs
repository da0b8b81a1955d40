using System.Globalization;
using System.Text.Json;
using Allos.Gateway.Server.Keys;
using Allos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.Spend;

/// <summary>
/// <c>GET /spend/logs</c> in LiteLLM's shape: one row per request from the spend log (the Router's call records), newest
/// first, filtered by <c>api_key</c> (a key or its hash), <c>user_id</c>, <c>team_id</c>, <c>model</c>, <c>start_date</c>,
/// <c>end_date</c> and <c>limit</c> (default 100, at most 1000). Needs the master key.
/// </summary>
/// <remarks>Rows name keys by their SHA-256 hash, never the key; prompts and answers are not in the log.</remarks>
internal static class SpendEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        GatewayServerOptions options = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>();
        endpoints.MapGet("/spend/logs", context => LogsAsync(context, options));
    }

    private static async Task LogsAsync(HttpContext context, GatewayServerOptions options)
    {
        KeyGate gate = options.Gate;
        if (!gate.RequiresKey)
        {
            await KeyEndpoints.ErrorAsync(context, StatusCodes.Status403Forbidden, "auth_error",
                "/spend/logs is off because no master key is set. Set ALLOS_MASTER_KEY (or gateway.master_key in allos.yaml) and restart the gateway; `allos stats` reads the same log.").ConfigureAwait(false);
            return;
        }

        if (!gate.IsMaster(context))
        {
            await KeyEndpoints.ErrorAsync(context, StatusCodes.Status401Unauthorized, "auth_error",
                "/spend/logs needs the master key in the Authorization: Bearer header.").ConfigureAwait(false);
            return;
        }

        if (options.SpendLog is not { } log)
        {
            await KeyEndpoints.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "internal_error",
                "The gateway has no spend log: set GatewayServerOptions.SpendLog and RouterOptions.Telemetry to the same store (allos serve uses the Allos database).").ConfigureAwait(false);
            return;
        }

        ModelCallQuery query;
        try
        {
            query = Query(context.Request.Query);
        }
        catch (FormatException ex)
        {
            await KeyEndpoints.ErrorAsync(context, StatusCodes.Status400BadRequest, "bad_request_error", ex.Message, ex.Source).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<ModelCallRecord> calls;
        try
        {
            calls = await log.GetModelCallsAsync(query, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        await KeyEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartArray();
            foreach (ModelCallRecord call in calls)
            {
                SpendLogJson.Write(json, call);
            }

            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static ModelCallQuery Query(IQueryCollection query)
    {
        string? Text(string name) => query[name].FirstOrDefault() is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        int limit = DefaultLimit;
        if (Text("limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            throw Bad("limit", $"limit must be a whole number from 1 to {MaxLimit} (it was '{limitText}').");
        }

        DateTimeOffset? start = Date(Text("start_date"), "start_date", endOfDay: false);
        DateTimeOffset? end = Date(Text("end_date"), "end_date", endOfDay: true);
        return new ModelCallQuery
        {
            Since = start,
            Until = end,
            KeyHash = Text("api_key") is { } key ? VirtualKeys.HashOf(key) : null,
            UserKey = Text("user_id"),
            TeamId = Text("team_id"),
            Model = Text("model"),
            Limit = limit,
        };
    }

    /// <summary>A date (<c>2026-12-01</c>, UTC; as an end, the whole day is included) or an ISO 8601 time.</summary>
    private static DateTimeOffset? Date(string? text, string name, bool endOfDay)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly day))
        {
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? midnight.AddDays(1) : midnight;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time
            : throw Bad(name, $"{name} must be a date (2026-12-01) or an ISO 8601 time (2026-12-01T10:00:00Z); it was '{text}'.");
    }

    private static FormatException Bad(string param, string message) => new(message) { Source = param };
}
