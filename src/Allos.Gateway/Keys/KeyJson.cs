using System.Globalization;
using System.Text.Json;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>Writes a key record as LiteLLM's admin API does (its field names), never with the key itself except at generation.</summary>
internal static class KeyJson
{
    public static readonly JsonWriterOptions Options = new() { Indented = false };

    /// <summary>Writes the record's fields into the object being written; <paramref name="spend"/> overrides the stored spend with a live one.</summary>
    public static void WriteFields(Utf8JsonWriter json, VirtualKey key, decimal? spend)
    {
        json.WriteString("token", key.Hash);
        WriteOrNull(json, "key_name", key.KeyName);
        WriteOrNull(json, "key_alias", key.Alias);
        json.WriteNumber("spend", spend ?? key.Spend);
        if (key.MaxBudget is decimal budget)
        {
            json.WriteNumber("max_budget", budget);
        }
        else
        {
            json.WriteNull("max_budget");
        }

        json.WriteStartArray("models");
        foreach (string model in key.Models)
        {
            json.WriteStringValue(model);
        }

        json.WriteEndArray();
        WriteOrNull(json, "budget_duration", key.BudgetDuration);
        WriteOrNull(json, "budget_reset_at", Time(key.BudgetResetAt));
        WriteOrNull(json, "rpm_limit", key.RpmLimit);
        WriteOrNull(json, "tpm_limit", key.TpmLimit);
        WriteOrNull(json, "max_parallel_requests", key.MaxParallelRequests);
        WriteOrNull(json, "expires", Time(key.Expires));
        WriteOrNull(json, "user_id", key.UserId);
        WriteOrNull(json, "team_id", key.TeamId);
        if (key.Metadata is { } metadata)
        {
            json.WritePropertyName("metadata");
            json.WriteRawValue(metadata);
        }
        else
        {
            json.WriteStartObject("metadata");
            json.WriteEndObject();
        }

        json.WriteString("created_at", Time(key.Created));
        json.WriteBoolean("blocked", key.Blocked);
    }

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
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

    private static void WriteOrNull(Utf8JsonWriter json, string name, int? value)
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
