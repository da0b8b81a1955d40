using System.Globalization;
using System.Text.Json;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>Writes a user or team as LiteLLM's admin API does (its field names: <c>team_id</c>, <c>team_alias</c>, ... or <c>user_id</c>, <c>user_alias</c>, ...).</summary>
internal static class OwnerJson
{
    /// <summary>Writes the record's fields into the object being written; <paramref name="spend"/> overrides the stored spend with a live one.</summary>
    public static void WriteFields(Utf8JsonWriter json, KeyOwner owner, decimal? spend)
    {
        string prefix = Prefix(owner.Kind);
        json.WriteString(prefix + "_id", owner.Id);
        Write(json, prefix + "_alias", owner.Alias);
        json.WriteNumber("spend", spend ?? owner.Spend);
        if (owner.MaxBudget is decimal budget)
        {
            json.WriteNumber("max_budget", budget);
        }
        else
        {
            json.WriteNull("max_budget");
        }

        json.WriteStartArray("models");
        foreach (string model in owner.Models)
        {
            json.WriteStringValue(model);
        }

        json.WriteEndArray();
        Write(json, "budget_duration", owner.BudgetDuration);
        Write(json, "budget_reset_at", Time(owner.BudgetResetAt));
        Write(json, "rpm_limit", owner.RpmLimit);
        Write(json, "tpm_limit", owner.TpmLimit);
        Write(json, "max_parallel_requests", owner.MaxParallelRequests);
        if (owner.Metadata is { } metadata)
        {
            json.WritePropertyName("metadata");
            json.WriteRawValue(metadata);
        }
        else
        {
            json.WriteStartObject("metadata");
            json.WriteEndObject();
        }

        json.WriteString("created_at", Time(owner.Created));
        json.WriteBoolean("blocked", owner.Blocked);
    }

    /// <summary>Gets LiteLLM's prefix of the kind's fields and paths: <c>team</c> or <c>user</c>.</summary>
    public static string Prefix(KeyOwnerKind kind) => kind == KeyOwnerKind.Team ? "team" : "user";

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Write(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void Write(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
