using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Keys;
using Allos.Gateway.Server.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.OpenAI;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> in OpenAI's shape: the aliases and the models the server allows.</summary>
internal static class ModelsEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        GatewayServerOptions options = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>();
        ServedModels models = options.Served;
        endpoints.MapGet("/v1/models", context => ListAsync(context, models));

        // {**id}: provider/model ids hold a slash.
        endpoints.MapGet("/v1/models/{**id}", context => GetAsync(context, models, (string)context.Request.RouteValues["id"]!));
    }

    private static async Task ListAsync(HttpContext context, ServedModels models)
    {
        // Only what the caller's key may use; a missing or unknown key is a 401 like on the chat endpoint.
        KeyGate gate = context.RequestServices.GetRequiredService<GatewayServerOptions>().Gate;
        if (await gate.CheckAsync(context, null, context.RequestAborted).ConfigureAwait(false) is { } refused)
        {
            await OpenAIErrorWriter.WriteAsync(context, refused).ConfigureAwait(false);
            return;
        }

        var allowed = new List<string>();
        foreach (string id in models.List())
        {
            if (await gate.CheckAsync(context, id, context.RequestAborted).ConfigureAwait(false) is null)
            {
                allowed.Add(id);
            }
        }

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAIWire.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (string id in allowed)
            {
                WriteModel(json, id);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext context, ServedModels models, string id)
    {
        if (!models.Lists(id))
        {
            await OpenAIErrorWriter.WriteAsync(context, ServedModels.NotServed(id)).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAIWire.WriterOptions))
        {
            WriteModel(json, id);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The error for a model the server does not serve, as OpenAI words it.</summary>
    private static void WriteModel(Utf8JsonWriter json, string id)
    {
        int slash = id.IndexOf('/', StringComparison.Ordinal);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", 0);
        json.WriteString("owned_by", slash > 0 ? id[..slash] : "allos");
        json.WriteEndObject();
    }
}
