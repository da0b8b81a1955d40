using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Allos.Gateway.Server.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>: OpenAI's Chat Completions API, JSON and SSE, served by whichever upstream the Router picks.</summary>
internal static class ChatCompletionsEndpoint
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        GatewayServerOptions options = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>();
        endpoints.MapPost("/v1/chat/completions", context => HandleAsync(context, options.Router, options.Gate));
    }

    private static async Task HandleAsync(HttpContext context, Router router, KeyGate gate)
    {
        // The caller hanging up cancels the upstream call too: nobody pays for an answer nobody reads.
        CancellationToken aborted = context.RequestAborted;
        ChatCompletionRequest request;
        try
        {
            request = await ReadAsync(context.Request.BodyReader, aborted).ConfigureAwait(false);
        }
        catch (ChatCompletionRequestException ex)
        {
            await OpenAIErrorWriter.WriteAsync(context, new GatewayError(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, ex.Message, Param: ex.Param)).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }

        // The one place every chat completion passes before it reaches the Router: served model, key, limits, budget.
        KeyAdmission admission = await gate.AdmitAsync(context, request.Model, request.Messages, request.Options, request.Stream, aborted).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            await OpenAIErrorWriter.WriteAsync(context, admission.Error).ConfigureAwait(false);
            return;
        }

        using KeyLease lease = admission.Lease;

        IChatClient client = router;
        if (request.Stream)
        {
            await StreamAsync(context, client, request, lease, aborted).ConfigureAwait(false);
            return;
        }

        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(request.Messages, request.Options, aborted).ConfigureAwait(false);
            lease.Settle(response);
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
            ChatCompletionWriter.Write(json, response, request.Model);
        }

        await context.Response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
    }

    private static async Task StreamAsync(HttpContext context, IChatClient client, ChatCompletionRequest request, KeyLease lease, CancellationToken aborted)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates = client.GetStreamingResponseAsync(request.Messages, request.Options, aborted).GetAsyncEnumerator(aborted);
        try
        {
            // Until the first update arrives nothing is sent, so a failure to start is still a plain HTTP error with its status.
            bool more;
            try
            {
                more = await updates.MoveNextAsync().ConfigureAwait(false);
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

            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers[HeaderNames.CacheControl] = "no-cache";
            PipeWriter body = response.BodyWriter;
            using var writer = new ChatCompletionStreamWriter(body, request.Model, request.IncludeUsage);
            writer.Start(more ? updates.Current : null);
            while (more)
            {
                lease.Observe(updates.Current);
                writer.Add(updates.Current);
                try
                {
                    // Updates that are already here (a finish, the usage, a burst of chunks) go out in one write; the
                    // frames are sent as soon as the next one has to be waited for. The flush takes no token: a caller
                    // who hangs up completes it, and the pending update then sees the cancellation and ends the loop.
                    ValueTask<bool> next = updates.MoveNextAsync();
                    if (!next.IsCompleted)
                    {
                        await body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    more = await next.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // The status line is gone: the failure becomes an error event, and the stream ends without [DONE].
                    GatewayError error = GatewayError.From(ex);
                    Metrics.GatewayInstruments.Failed(context, error.Kind);
                    writer.Fail(error);
                    await body.FlushAsync(aborted).ConfigureAwait(false);
                    return;
                }
            }

            writer.Finish();
            await body.FlushAsync(aborted).ConfigureAwait(false);
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the whole body, then parses it (the Router needs every message before it can start).</summary>
    private static async Task<ChatCompletionRequest> ReadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCompleted || result.IsCanceled)
            {
                try
                {
                    return ChatCompletionRequestReader.Read(buffer);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
