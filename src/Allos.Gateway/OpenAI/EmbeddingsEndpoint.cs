using System.Buffers.Binary;
using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Keys;
using Allos.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.OpenAI;

/// <summary><c>POST /v1/embeddings</c>: OpenAI's Embeddings API, served through the Router's embeddings path (<see cref="Router.EmbeddingsFor"/>).</summary>
internal static class EmbeddingsEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        GatewayServerOptions options = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>();
        endpoints.MapPost("/v1/embeddings", context => HandleAsync(context, options.Router, options.Gate));
    }

    private static async Task HandleAsync(HttpContext context, Router router, KeyGate gate)
    {
        CancellationToken aborted = context.RequestAborted;
        Request request;
        try
        {
            using JsonDocument document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: aborted).ConfigureAwait(false);
            request = Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            await OpenAIErrorWriter.WriteAsync(context, Invalid($"The request body is not valid JSON: {ex.Message}", null)).ConfigureAwait(false);
            return;
        }
        catch (BadRequest ex)
        {
            await OpenAIErrorWriter.WriteAsync(context, Invalid(ex.Message, ex.Param)).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }

        // As for chat: served model, key, allow-list, limits and budget first. Embeddings have no output, so the reservation is
        // the input alone, estimated as the Router estimates it (each input as a message) at the dearest input price.
        long tokens = InputTokenEstimate.Of(request.Inputs.Select(input => new ChatMessage(ChatRole.User, input)), null);
        (decimal? estimate, ModelInfo? info, _) = gate.Price(request.Model, tokens, 0);
        KeyAdmission admission = await gate.AdmitAsync(context, request.Model, estimate, tokens, info, aborted).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            await OpenAIErrorWriter.WriteAsync(context, admission.Error).ConfigureAwait(false);
            return;
        }

        using KeyLease lease = admission.Lease;

        GeneratedEmbeddings<Embedding<float>> embeddings;
        try
        {
            EmbeddingGenerationOptions options = gate.Tag(context, lease, new EmbeddingGenerationOptions { Dimensions = request.Dimensions });
            embeddings = await router.EmbeddingsFor(request.Model).GenerateAsync(request.Inputs, options, aborted).ConfigureAwait(false);
            lease.Settle(embeddings.Usage, ResponseCost.Get(embeddings));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            await OpenAIErrorWriter.WriteAsync(context, GatewayError.From(ex)).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAIWire.WriterOptions))
        {
            Write(json, embeddings, request);
        }

        await context.Response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
    }

    private static Request Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequest("The request body must be a JSON object.", null);
        }

        string model = root.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(m.GetString())
            ? m.GetString()!
            : throw new BadRequest("'model' is required: the alias or model id to embed with.", "model");
        if (!root.TryGetProperty("input", out JsonElement input))
        {
            throw new BadRequest("'input' is required: a string or an array of strings.", "input");
        }

        List<string> inputs = [];
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(input.GetString()!);
        }
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
        {
            foreach (JsonElement item in input.EnumerateArray())
            {
                inputs.Add(item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw new BadRequest("'input' must be a string or an array of strings; token arrays are not supported by this gateway.", "input"));
            }
        }
        else
        {
            throw new BadRequest("'input' must be a string or a non-empty array of strings.", "input");
        }

        bool base64 = false;
        if (root.TryGetProperty("encoding_format", out JsonElement format) && format.ValueKind != JsonValueKind.Null)
        {
            base64 = format.ValueKind == JsonValueKind.String && format.GetString() is "float" or "base64"
                ? format.GetString() == "base64"
                : throw new BadRequest("'encoding_format' must be \"float\" or \"base64\".", "encoding_format");
        }

        int? dimensions = null;
        if (root.TryGetProperty("dimensions", out JsonElement d) && d.ValueKind != JsonValueKind.Null)
        {
            dimensions = d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int value) && value > 0
                ? value
                : throw new BadRequest("'dimensions' must be a positive integer.", "dimensions");
        }

        return new Request(model, inputs, base64, dimensions);
    }

    private static void Write(Utf8JsonWriter json, GeneratedEmbeddings<Embedding<float>> embeddings, Request request)
    {
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (int i = 0; i < embeddings.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            ReadOnlySpan<float> vector = embeddings[i].Vector.Span;
            if (request.Base64)
            {
                byte[] bytes = new byte[vector.Length * sizeof(float)];
                for (int k = 0; k < vector.Length; k++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(k * sizeof(float)), vector[k]);
                }

                json.WriteBase64String("embedding", bytes);
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (float value in vector)
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", request.Model);
        long tokens = embeddings.Usage?.InputTokenCount ?? 0;
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", embeddings.Usage?.TotalTokenCount ?? tokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static GatewayError Invalid(string message, string? param) => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, message, Param: param);

    private sealed record Request(string Model, List<string> Inputs, bool Base64, int? Dimensions);

    /// <summary>A request the endpoint refuses before calling anything; its message says what to fix.</summary>
    private sealed class BadRequest(string message, string? param) : Exception(message)
    {
        public string? Param { get; } = param;
    }
}
