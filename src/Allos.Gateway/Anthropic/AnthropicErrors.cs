using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Microsoft.AspNetCore.Http;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>
/// Writes a <see cref="GatewayError"/> in Anthropic's shape, <c>{"type":"error","error":{"type":…,"message":…}}</c>: as the
/// response (with its status and <c>retry-after</c>), or as a stream's <c>error</c> event once the stream has begun.
/// </summary>
/// <remarks>
/// Overloaded is 529, as Anthropic sends it: its SDKs and Claude Code read 529 as "overloaded, retry", where a 503 is a
/// plain server error.
/// </remarks>
internal static class AnthropicErrors
{
    public const int OverloadedStatus = 529;

    public static int Status(GatewayError error) => error.Kind == GatewayErrorKind.Overloaded ? OverloadedStatus : error.Status;

    public static string Type(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.InvalidRequest => "invalid_request_error",
        GatewayErrorKind.Authentication => "authentication_error",
        GatewayErrorKind.Permission => "permission_error",
        GatewayErrorKind.NotFound => "not_found_error",
        GatewayErrorKind.RequestTooLarge => "request_too_large",
        GatewayErrorKind.RateLimited or GatewayErrorKind.Budget => "rate_limit_error",
        GatewayErrorKind.Overloaded => "overloaded_error",
        _ => "api_error",
    };

    /// <summary>Writes <paramref name="error"/> as the whole response.</summary>
    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        Metrics.GatewayInstruments.Failed(context, error.Kind);
        HttpResponse response = context.Response;
        response.StatusCode = Status(error);
        response.ContentType = "application/json";
        if (error.RetryAfterHeader is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter;
        }

        WriteBody(response.BodyWriter, error);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="error"/> as an <c>error</c> event of a stream that has begun; the stream then ends.</summary>
    public static async Task WriteEventAsync(PipeWriter pipe, GatewayError error, CancellationToken cancellationToken)
    {
        pipe.Write("event: error\ndata: "u8);
        WriteBody(pipe, error);
        pipe.Write("\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteBody(IBufferWriter<byte> output, GatewayError error)
    {
        using var json = new Utf8JsonWriter(output, AnthropicMessageWriter.WriterOptions);
        json.WriteStartObject();
        json.WriteString("type"u8, "error"u8);
        json.WriteStartObject("error"u8);
        json.WriteString("type"u8, Type(error.Kind));
        json.WriteString("message"u8, error.Message);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
