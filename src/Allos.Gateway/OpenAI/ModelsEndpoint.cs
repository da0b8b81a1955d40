using System.Text.Json;
using Allos.Gateway.Server.Errors;
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
        var models = new ServedModels(options.Router, options.Models);
        endpoints.MapGet("/v1/models", context => ListAsync(context, models));

        // {**id}: provider/model ids hold a slash.
        endpoints.MapGet("/v1/models/{**id}", context => GetAsync(context, models, (string)context.Request.RouteValues["id"]!));
    }

    private static async Task ListAsync(HttpContext context, ServedModels models)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAIWire.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (string id in models.List())
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
            await OpenAIErrorWriter.WriteAsync(context, NotServed(id)).ConfigureAwait(false);
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
    public static GatewayError NotServed(string model) => new(StatusCodes.Status404NotFound, GatewayErrorKind.NotFound,
        $"The model '{model}' is not served by this gateway: use an alias or a model GET /v1/models lists (allos.yaml gateway.models allows more).", Param: "model");

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
