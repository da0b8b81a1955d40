using System.Text.Json;
using Allos.Context;
using Allos.Gateway.Server.Errors;
using Allos.Gateway.Server.Keys;
using Allos.Providers.Anthropic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>
/// The Anthropic-compatible endpoints: <c>POST /v1/messages</c> (whole or streamed) and <c>POST /v1/messages/count_tokens</c>,
/// served through the Router whatever the upstream's format. The <c>anthropic-version</c> header is accepted and not
/// needed (the body says everything the gateway uses); <c>anthropic-beta</c> is passed on to an Anthropic upstream.
/// </summary>
internal static class AnthropicEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/messages", MessagesAsync);
        endpoints.MapPost("/v1/messages/count_tokens", CountTokensAsync);
    }

    private static async Task MessagesAsync(HttpContext context)
    {
        Router router = context.RequestServices.GetRequiredService<GatewayServerOptions>().Router;
        CancellationToken aborted = context.RequestAborted;
        using JsonDocument? document = await ReadBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }

        AnthropicIngressRequest request;
        try
        {
            request = AnthropicRequestReader.Read(document.RootElement);
        }
        catch (AnthropicRequestException ex)
        {
            await AnthropicErrors.WriteAsync(context, InvalidRequest(ex.Message)).ConfigureAwait(false);
            return;
        }

        // Betas (Claude Code sends its own) reach an Anthropic upstream as they came; other upstreams ignore them.
        if (context.Request.Headers["anthropic-beta"] is { Count: > 0 } beta && !string.IsNullOrWhiteSpace(beta.ToString()))
        {
            (request.Options.AdditionalProperties ??= [])[AnthropicProperties.BetaKey] = beta.ToString();
        }

        // The one path every Messages call takes to the upstream: served model, key, limits, budget.
        KeyAdmission admission = await context.RequestServices.GetRequiredService<GatewayServerOptions>().Gate.AdmitAsync(context, request.Model, request.Messages, request.Options, request.Stream, aborted).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            await AnthropicErrors.WriteAsync(context, admission.Error).ConfigureAwait(false);
            return;
        }

        using KeyLease lease = admission.Lease;
        try
        {
            if (request.Stream)
            {
                await StreamAsync(context, router, request, lease).ConfigureAwait(false);
                return;
            }

            ChatResponse response = await router.GetResponseAsync(request.Messages, request.Options, aborted).ConfigureAwait(false);
            lease.Settle(response);
            context.Response.ContentType = "application/json";
            using (var json = new Utf8JsonWriter(context.Response.BodyWriter, AnthropicMessageWriter.WriterOptions))
            {
                AnthropicMessageWriter.Write(json, response, request.Model);
            }

            await context.Response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The caller left; the upstream call was cancelled with it.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            await AnthropicErrors.WriteAsync(context, GatewayError.From(ex)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams the answer. The status is sent only with the first update: a failure before it (a 429, an upstream 500, an
    /// unknown model) is still an HTTP error; one after it is an <c>error</c> event, and the stream ends.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, Router router, AnthropicIngressRequest request, KeyLease lease)
    {
        CancellationToken aborted = context.RequestAborted;
        IAsyncEnumerator<ChatResponseUpdate> updates = router.GetStreamingResponseAsync(request.Messages, request.Options, aborted).GetAsyncEnumerator(aborted);
        await using (updates.ConfigureAwait(false))
        {
            bool more = await updates.MoveNextAsync().ConfigureAwait(false);
            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            using var events = new AnthropicEventStream(response.BodyWriter, request.Model, aborted);
            await events.StartAsync(more ? updates.Current : null).ConfigureAwait(false);
            try
            {
                while (more)
                {
                    lease.Observe(updates.Current);
                    await events.AddAsync(updates.Current).ConfigureAwait(false);
                    more = await updates.MoveNextAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !aborted.IsCancellationRequested)
            {
                GatewayError error = GatewayError.From(ex);
                Metrics.GatewayInstruments.Failed(context, error.Kind);
                await AnthropicErrors.WriteEventAsync(response.BodyWriter, error, aborted).ConfigureAwait(false);
                return;
            }

            await events.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The response header that says how <c>count_tokens</c> counted: <c>exact</c>, <c>tokenizer</c> or <c>estimate</c>.</summary>
    internal const string TokenCountMethodHeader = "allos-token-count-method";

    /// <summary>
    /// Counts a request's input tokens with the model's first deployment: an Anthropic upstream's own <c>count_tokens</c>
    /// (the caller's body as it is), a Gemini upstream's <c>countTokens</c> (both exact), OpenAI's models with their
    /// tokenizer, others with the estimate (<see cref="ChatClientTokenCountExtensions.CountInputTokensAsync"/>). The
    /// <see cref="TokenCountMethodHeader"/> header says which.
    /// </summary>
    private static async Task CountTokensAsync(HttpContext context)
    {
        Router router = context.RequestServices.GetRequiredService<GatewayServerOptions>().Router;
        CancellationToken aborted = context.RequestAborted;
        using JsonDocument? document = await ReadBodyAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }

        AnthropicIngressRequest request;
        try
        {
            request = AnthropicRequestReader.Read(document.RootElement, countOnly: true);
        }
        catch (AnthropicRequestException ex)
        {
            await AnthropicErrors.WriteAsync(context, InvalidRequest(ex.Message)).ConfigureAwait(false);
            return;
        }

        if (await context.RequestServices.GetRequiredService<GatewayServerOptions>().Gate.CheckAsync(context, request.Model, aborted).ConfigureAwait(false) is { } refused)
        {
            await AnthropicErrors.WriteAsync(context, refused).ConfigureAwait(false);
            return;
        }

        try
        {
            DeploymentState deployment = router.FirstDeployment(request.Model);
            InputTokenCount count;
            if (deployment.Provider == "anthropic" && deployment.Client.GetService<AnthropicChatClient>() is { } anthropic)
            {
                // The caller's own body, field for field: the most faithful count.
                count = new InputTokenCount(await anthropic.CountTokensAsync(document.RootElement, aborted).ConfigureAwait(false), TokenCountMethod.Exact);
            }
            else
            {
                count = await deployment.Client.CountInputTokensAsync(request.Messages, DeploymentTokenCounter.WithoutModel(request.Options), cancellationToken: aborted).ConfigureAwait(false);

                // As with an Anthropic upstream, the caller sees the upstream's refusal rather than a silent estimate.
                if (count.ExactCountFailure is { } failure)
                {
                    throw failure;
                }
            }

            long tokens = count.Tokens;
            context.Response.Headers[TokenCountMethodHeader] = count.Method.ToString().ToLowerInvariant();
            context.Response.ContentType = "application/json";
            using (var json = new Utf8JsonWriter(context.Response.BodyWriter, AnthropicMessageWriter.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteNumber("input_tokens"u8, tokens);
                json.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            await AnthropicErrors.WriteAsync(context, GatewayError.From(ex)).ConfigureAwait(false);
        }
    }

    /// <summary>Parses the body, or answers 400 (not JSON) or 413 (over Kestrel's size limit) and returns <see langword="null"/>.</summary>
    private static async Task<JsonDocument?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await AnthropicErrors.WriteAsync(context, InvalidRequest($"The request body is not valid JSON: {ex.Message}")).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await AnthropicErrors.WriteAsync(context, new GatewayError(StatusCodes.Status413PayloadTooLarge, GatewayErrorKind.RequestTooLarge, "The request body is larger than the gateway accepts.")).ConfigureAwait(false);
        }

        return null;
    }

    private static GatewayError InvalidRequest(string message) => new(StatusCodes.Status400BadRequest, GatewayErrorKind.InvalidRequest, message);
}
