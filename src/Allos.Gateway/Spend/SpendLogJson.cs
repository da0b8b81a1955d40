using System.Text.Json;
using Allos.Storage;

namespace Allos.Gateway.Server.Spend;

/// <summary>Writes one spend-log row in the shape of LiteLLM's <c>LiteLLM_SpendLogs</c>, with Allos's extra fields in <c>metadata</c>.</summary>
internal static class SpendLogJson
{
    public static void Write(Utf8JsonWriter json, ModelCallRecord call)
    {
        // The Router records a call when it ends: its start is that time less the latency.
        DateTimeOffset end = call.Time;
        DateTimeOffset start = end - TimeSpan.FromMilliseconds(call.LatencyMs);
        json.WriteStartObject();
        json.WriteString("request_id", call.RequestId);
        json.WriteString("call_type", call.Endpoint);
        json.WriteString("api_key", call.KeyHash ?? string.Empty);
        json.WriteNumber("spend", call.Cost ?? 0m);
        json.WriteNumber("total_tokens", (call.InputTokens ?? 0) + (call.OutputTokens ?? 0));
        json.WriteNumber("prompt_tokens", call.InputTokens ?? 0);
        json.WriteNumber("completion_tokens", call.OutputTokens ?? 0);
        json.WriteString("startTime", start);
        json.WriteString("endTime", end);
        if (call.TimeToFirstTokenMs is double ttft)
        {
            json.WriteString("completionStartTime", start + TimeSpan.FromMilliseconds(ttft));
        }
        else
        {
            json.WriteNull("completionStartTime");
        }

        json.WriteString("model", call.Model);
        json.WriteString("model_group", call.Alias);
        json.WriteString("model_id", call.Deployment);
        json.WriteString("custom_llm_provider", call.Provider);
        json.WriteString("user", call.UserKey ?? string.Empty);
        json.WriteString("team_id", call.TeamId);
        json.WriteBoolean("cache_hit", call.CacheHit);
        json.WriteString("status", call.Status == "ok" ? "success" : "failure");
        json.WriteStartObject("metadata");
        json.WriteString("user_api_key_alias", call.KeyAlias);
        json.WriteString("status", call.Status);
        json.WriteString("error", call.Error);
        json.WriteString("deployment", call.Deployment);
        Number(json, "cached_tokens", call.CachedInputTokens);
        Number(json, "reasoning_tokens", call.ReasoningTokens);
        if (call.Cost is null)
        {
            // Unknown is not free: say so beside the 0 that LiteLLM's shape needs.
            json.WriteBoolean("spend_unknown", true);
        }

        json.WriteNumber("latency_ms", call.LatencyMs);
        if (call.TimeToFirstTokenMs is double first)
        {
            json.WriteNumber("ttft_ms", first);
        }
        else
        {
            json.WriteNull("ttft_ms");
        }

        json.WriteBoolean("streaming", call.Streaming);
        json.WriteNumber("retries", call.Retries);
        json.WriteNumber("fallbacks", call.Fallbacks);
        json.WriteString("prompt_name", call.PromptName);
        Number(json, "prompt_version", call.PromptVersion);
        json.WriteString("session_id", call.SessionId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
