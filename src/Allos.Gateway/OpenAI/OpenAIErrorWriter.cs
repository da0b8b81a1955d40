using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>Writes a <see cref="GatewayError"/> in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAIErrorWriter
{
    /// <summary>Answers the request with the error's status, its <c>retry-after</c> header and the error body.</summary>
    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        Metrics.GatewayInstruments.Failed(context, error.Kind);
        HttpResponse response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfterHeader is { } retryAfter)
        {
            response.Headers[HeaderNames.RetryAfter] = retryAfter;
        }

        using (var json = new Utf8JsonWriter(response.BodyWriter, OpenAIWire.WriterOptions))
        {
            Write(json, error);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static void Write(Utf8JsonWriter json, GatewayError error)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", error.Message);
        json.WriteString("type", Type(error.Kind));
        if (error.Param is { } param)
        {
            json.WriteString("param", param);
        }
        else
        {
            json.WriteNull("param");
        }

        if (Code(error) is { } code)
        {
            json.WriteString("code", code);
        }
        else
        {
            json.WriteNull("code");
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    // OpenAI's own type names where it has one; the others are the names LiteLLM's proxy uses for the same cases.
    private static string Type(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.RequestTooLarge => "invalid_request_error",
        GatewayErrorKind.Authentication => "authentication_error",
        GatewayErrorKind.Permission => "permission_error",
        GatewayErrorKind.NotFound => "not_found_error",
        GatewayErrorKind.RateLimited => "rate_limit_error",
        GatewayErrorKind.Budget => "budget_exceeded",
        GatewayErrorKind.Overloaded => "service_unavailable_error",
        GatewayErrorKind.Timeout => "timeout_error",
        GatewayErrorKind.Upstream => "api_error",
        _ => "server_error",
    };

    private static string? Code(GatewayError error) => error.Kind switch
    {
        GatewayErrorKind.RateLimited => "rate_limit_exceeded",
        GatewayErrorKind.Budget => "budget_exceeded",
        GatewayErrorKind.Authentication => "invalid_api_key",
        _ => null,
    };
}
