using System.Text.Json;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// Reads the fields of a <c>/team/new</c>, <c>/team/update</c>, <c>/user/new</c> or <c>/user/update</c> body (LiteLLM's names)
/// onto a user or team. Only the fields present change; <c>null</c> clears a limit. LiteLLM's other fields (members,
/// emails, roles, tags) are ignored, so its scripts run unchanged; they have no effect here.
/// </summary>
internal static class OwnerRequest
{
    /// <summary>Returns <paramref name="owner"/> with the body's fields applied; <paramref name="now"/> starts the budget period.</summary>
    public static KeyOwner Apply(JsonElement body, KeyOwner owner, DateTimeOffset now)
    {
        string alias = owner.Kind == KeyOwnerKind.Team ? "team_alias" : "user_alias";
        foreach (JsonProperty field in body.EnumerateObject())
        {
            JsonElement value = field.Value;
            owner = field.Name switch
            {
                "models" => owner with { Models = KeyRequest.Models(value) },
                "max_budget" => owner with { MaxBudget = KeyRequest.Budget(value) },
                "rpm_limit" => owner with { RpmLimit = KeyRequest.Count(value, field.Name) },
                "tpm_limit" => owner with { TpmLimit = KeyRequest.Count(value, field.Name) },
                "max_parallel_requests" => owner with { MaxParallelRequests = KeyRequest.Count(value, field.Name) },
                "blocked" => owner with { Blocked = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new KeyRequestException("blocked must be true or false.", field.Name) },
                "metadata" => owner with { Metadata = value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Object => value.GetRawText(),
                    _ => throw new KeyRequestException("metadata must be a JSON object, such as {\"cost_center\": \"search\"}.", field.Name),
                } },
                "budget_duration" => KeyRequest.Duration(value, field.Name) is { } period
                    ? owner with { BudgetDuration = period.ToString(), BudgetResetAt = period.After(now) }
                    : owner with { BudgetDuration = null, BudgetResetAt = null },
                _ when field.Name == alias => owner with { Alias = KeyRequest.Text(value, field.Name) },
                _ => owner,
            };
        }

        return owner;
    }
}
