using System.Diagnostics;
using Allos.Storage;
using Allos.Telemetry;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Records each Router call as an OpenTelemetry span and metrics (GenAI conventions) and as a row in the telemetry store.</summary>
/// <remarks>Never records prompts, responses or keys. Recording only enqueues: the store writes in the background.</remarks>
internal sealed class CallRecorder(ITelemetryStore? store, TimeProvider time)
{
    public void Started(RouteRequest request)
    {
        if (!AllosInstruments.Source.HasListeners())
        {
            return;
        }

        string operation = request.EmbeddingInputs is null ? GenAISemantics.Chat : GenAISemantics.Embeddings;
        Activity? activity = AllosInstruments.Source.StartActivity($"{operation} {request.Alias}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAISemantics.OperationName, operation);
            activity.SetTag(GenAISemantics.Alias, request.Alias);
            if (request.Prompt is var (promptName, promptVersion))
            {
                activity.SetTag(GenAISemantics.PromptName, promptName);
                activity.SetTag(GenAISemantics.PromptVersion, promptVersion);
            }

            if (request.Forwarded?.MaxOutputTokens is int maxTokens)
            {
                activity.SetTag(GenAISemantics.RequestMaxTokens, maxTokens);
            }

            if (request.Forwarded?.Temperature is float temperature)
            {
                activity.SetTag(GenAISemantics.RequestTemperature, temperature);
            }
        }

        request.Activity = activity;
    }

    public void AttemptFailed(RouteRequest request, DeploymentState deployment, Exception error) =>
        request.Activity?.AddEvent(new ActivityEvent("allos.gateway.attempt_failed", tags: new ActivityTagsCollection
        {
            [GenAISemantics.Deployment] = deployment.Name,
            [GenAISemantics.ErrorType] = error.GetType().Name,
        }));

    public void CacheFailed(RouteRequest request, Exception error) =>
        request.Activity?.AddEvent(new ActivityEvent("allos.gateway.cache_failed", tags: new ActivityTagsCollection
        {
            [GenAISemantics.ErrorType] = error.GetType().Name,
        }));

    public void CacheHit(RouteRequest request, ChatResponse response)
    {
        double latencyMs = time.GetElapsedTime(request.Start).TotalMilliseconds;
        Activity? activity = request.Activity;
        if (activity is not null)
        {
            activity.SetTag(GenAISemantics.CacheHit, true);
            activity.SetTag(GenAISemantics.ResponseModel, response.ModelId);
            activity.Dispose();
        }

        if (AllosInstruments.OperationDuration.Enabled)
        {
            AllosInstruments.OperationDuration.Record(latencyMs / 1000, Tags(request, null, response.ModelId, null));
        }

        store?.RecordModelCall(new ModelCallRecord
        {
            Time = time.GetUtcNow(),
            SessionId = request.SessionId,
            Provider = "cache",
            Model = response.ModelId ?? request.Alias,
            Alias = request.Alias,
            UserKey = request.UserKey,
            KeyHash = request.Caller?.KeyHash,
            KeyAlias = request.Caller?.KeyAlias,
            TeamId = request.Caller?.TeamId,
            Endpoint = request.Caller?.Endpoint,
            RequestId = response.ResponseId,
            PromptName = request.Prompt?.Name,
            PromptVersion = request.Prompt?.Version,
            LatencyMs = latencyMs,
            CacheHit = true,
            Cost = 0m,
            Streaming = request.Streaming,
        });
    }

    public void Succeeded(RouteRequest request, DeploymentState deployment, UsageDetails? usage, decimal? cost, string? responseModel, ChatFinishReason? finishReason, double? firstChunkMs)
    {
        double latencyMs = time.GetElapsedTime(request.Start).TotalMilliseconds;
        Activity? activity = request.Activity;
        if (activity is not null)
        {
            Describe(activity, request, deployment);
            activity.SetTag(GenAISemantics.ResponseModel, responseModel);
            activity.SetTag(GenAISemantics.InputTokens, usage?.InputTokenCount);
            activity.SetTag(GenAISemantics.OutputTokens, usage?.OutputTokenCount);
            activity.SetTag(GenAISemantics.Cost, cost is decimal value ? (double)value : null);
            if (finishReason is ChatFinishReason reason)
            {
                activity.SetTag(GenAISemantics.ResponseFinishReasons, new[] { reason.Value });
            }

            activity.Dispose();
        }

        if (AllosInstruments.OperationDuration.Enabled || AllosInstruments.TokenUsage.Enabled || AllosInstruments.Cost.Enabled || AllosInstruments.TimeToFirstToken.Enabled)
        {
            TagList tags = Tags(request, deployment, responseModel, null);
            AllosInstruments.OperationDuration.Record(latencyMs / 1000, tags);
            if (firstChunkMs is double first)
            {
                AllosInstruments.TimeToFirstToken.Record(first / 1000, tags);
            }

            if (usage is not null)
            {
                // cached is part of input and reasoning part of output (a sum over every type counts them twice); zeros are left out.
                RecordTokens(tags, "input", usage.InputTokenCount);
                RecordTokens(tags, "output", usage.OutputTokenCount);
                RecordTokens(tags, "cached", usage.CachedInputTokenCount is > 0 ? usage.CachedInputTokenCount : null);
                RecordTokens(tags, "reasoning", usage.ReasoningTokenCount is > 0 ? usage.ReasoningTokenCount : null);
            }

            if (cost is decimal spent)
            {
                AllosInstruments.Cost.Add((double)spent, tags);
            }
        }

        store?.RecordModelCall(Record(request, deployment, latencyMs, usage, cost, "ok", null, firstChunkMs));
    }

    public void Failed(RouteRequest request, Exception error, UsageDetails? usage = null, decimal? cost = null)
    {
        double latencyMs = time.GetElapsedTime(request.Start).TotalMilliseconds;
        // A call that ended before any deployment was tried (cancelled while waiting for a limit) is the first one's that
        // would have been asked, not a "router" model of its own.
        DeploymentState? deployment = request.Deployment ?? request.LastDeployment ?? (request.Group.Deployments.Length > 0 ? request.Group.Deployments[0] : null);
        string status = error is OperationCanceledException ? "cancelled" : "error";
        Activity? activity = request.Activity;
        if (activity is not null)
        {
            if (deployment is not null)
            {
                Describe(activity, request, deployment);
            }

            activity.SetTag(GenAISemantics.ErrorType, error.GetType().Name);
            activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
            activity.Dispose();
        }

        if (AllosInstruments.OperationDuration.Enabled)
        {
            AllosInstruments.OperationDuration.Record(latencyMs / 1000, Tags(request, deployment, null, error));
        }


        // What failed is still worth a row: the failure rate per deployment is what cooldowns are tuned by.
        store?.RecordModelCall(Record(request, deployment, latencyMs, usage, cost, status, error.GetType().Name, null));
    }

    private static void Describe(Activity activity, RouteRequest request, DeploymentState deployment)
    {
        activity.DisplayName = $"{GenAISemantics.Chat} {deployment.ModelName}";
        activity.SetTag(GenAISemantics.ProviderName, GenAIProviderNames.ToSemanticName(deployment.Provider));
        activity.SetTag(GenAISemantics.RequestModel, deployment.ModelName);
        if (deployment.Server is { } server)
        {
            activity.SetTag(GenAISemantics.ServerAddress, server.Address);
            activity.SetTag(GenAISemantics.ServerPort, server.Port);
        }

        activity.SetTag(GenAISemantics.Deployment, deployment.Name);
        activity.SetTag(GenAISemantics.Retries, request.Retries);
        activity.SetTag(GenAISemantics.Fallbacks, request.Fallbacks);
        activity.SetTag(GenAISemantics.CacheHit, false);
    }

    private static TagList Tags(RouteRequest request, DeploymentState? deployment, string? responseModel, Exception? error)
    {
        var tags = new TagList
        {
            { GenAISemantics.OperationName, GenAISemantics.Chat },
            { GenAISemantics.Alias, request.Alias },
        };
        if (deployment is not null)
        {
            tags.Add(GenAISemantics.ProviderName, GenAIProviderNames.ToSemanticName(deployment.Provider));
            tags.Add(GenAISemantics.RequestModel, deployment.ModelName);
            tags.Add(GenAISemantics.Deployment, deployment.Name);
            if (deployment.Server is { } server)
            {
                tags.Add(GenAISemantics.ServerAddress, server.Address);
                if (server.Port is not null)
                {
                    tags.Add(GenAISemantics.ServerPort, server.Port);
                }
            }
        }

        if (responseModel is not null)
        {
            tags.Add(GenAISemantics.ResponseModel, responseModel);
        }

        if (error is not null)
        {
            tags.Add(GenAISemantics.ErrorType, error.GetType().Name);
        }

        // A gateway's caller, by its key's alias or hash prefix: never the key.
        if (request.Caller is { } caller && (caller.KeyAlias ?? caller.KeyHash) is { } key)
        {
            tags.Add(GenAISemantics.Key, caller.KeyAlias ?? key[..Math.Min(8, key.Length)]);
        }

        return tags;
    }

    private static void RecordTokens(TagList tags, string type, long? count)
    {
        if (count is long tokens)
        {
            tags.Add(GenAISemantics.TokenType, type);
            AllosInstruments.TokenUsage.Record(tokens, tags);
        }
    }

    private ModelCallRecord Record(RouteRequest request, DeploymentState? deployment, double latencyMs, UsageDetails? usage, decimal? cost, string status, string? error, double? firstChunkMs) => new()
    {
        Time = time.GetUtcNow(),
        SessionId = request.SessionId,
        Provider = deployment?.Provider ?? "router",
        Model = deployment?.ModelId ?? request.Alias,
        Alias = request.Alias,
        Deployment = deployment?.Name,
        UserKey = request.UserKey,
        KeyHash = request.Caller?.KeyHash,
        KeyAlias = request.Caller?.KeyAlias,
        TeamId = request.Caller?.TeamId,
        Endpoint = request.Caller?.Endpoint,
        RequestId = request.ResponseId,
        PromptName = request.Prompt?.Name,
        PromptVersion = request.Prompt?.Version,
        LatencyMs = latencyMs,
        InputTokens = usage?.InputTokenCount,
        OutputTokens = usage?.OutputTokenCount,
        CachedInputTokens = usage?.CachedInputTokenCount,
        ReasoningTokens = usage?.ReasoningTokenCount,
        Cost = cost,
        Status = status,
        Error = error,
        Retries = request.Retries,
        Fallbacks = request.Fallbacks,
        Streaming = request.Streaming,
        TimeToFirstTokenMs = firstChunkMs,
    };
}
