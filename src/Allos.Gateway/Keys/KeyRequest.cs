using System.Buffers;
using System.Text.Json;
using Allos.Storage;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// Reads the fields of a <c>/key/generate</c> or <c>/key/update</c> body (LiteLLM's names) onto a key record. Only the fields
/// present change; <c>null</c> clears a limit. Fields of LiteLLM's this gateway does not implement are ignored, so its scripts run unchanged.
/// </summary>
internal static class KeyRequest
{
    public static JsonElement Parse(ReadOnlySequence<byte> body)
    {
        try
        {
            using JsonDocument document = body.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new KeyRequestException("The body must be a JSON object, such as {\"models\": [\"gpt-4o-mini\"], \"max_budget\": 10}.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new KeyRequestException($"The body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Returns <paramref name="key"/> with the body's fields applied; <paramref name="now"/> starts durations.</summary>
    public static VirtualKey Apply(JsonElement body, VirtualKey key, DateTimeOffset now)
    {
        foreach (JsonProperty field in body.EnumerateObject())
        {
            JsonElement value = field.Value;
            key = field.Name switch
            {
                "models" => key with { Models = Models(value) },
                "key_alias" => key with { Alias = Text(value, field.Name) },
                "user_id" => key with { UserId = Text(value, field.Name) },
                "team_id" => key with { TeamId = Text(value, field.Name) },
                "max_budget" => key with { MaxBudget = Budget(value) },
                "rpm_limit" => key with { RpmLimit = Count(value, field.Name) },
                "tpm_limit" => key with { TpmLimit = Count(value, field.Name) },
                "max_parallel_requests" => key with { MaxParallelRequests = Count(value, field.Name) },
                "blocked" => key with { Blocked = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new KeyRequestException("blocked must be true or false.", field.Name) },
                "metadata" => key with { Metadata = value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Object => value.GetRawText(),
                    _ => throw new KeyRequestException("metadata must be a JSON object, such as {\"team\": \"search\"}.", field.Name),
                } },
                "duration" => key with { Expires = Duration(value, field.Name) is { } duration ? duration.After(now) : null },
                "budget_duration" => Duration(value, field.Name) is { } period
                    ? key with { BudgetDuration = period.ToString(), BudgetResetAt = period.After(now) }
                    : key with { BudgetDuration = null, BudgetResetAt = null },
                _ => key,
            };
        }

        return key;
    }

    /// <summary>Reads a string field; <see langword="null"/> when absent or null.</summary>
    public static string? Text(JsonElement body, string name, bool required)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new KeyRequestException($"Send \"{name}\": the key (sk-...) or its hash.", name) : null;
        }

        return Text(value, name);
    }

    /// <summary>Reads an array of strings (keys, hashes, models).</summary>
    public static string[] Strings(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString())))
        {
            throw new KeyRequestException($"{name} must be an array of non-empty strings.", name);
        }

        return [.. value.EnumerateArray().Select(item => item.GetString()!.Trim())];
    }

    internal static string[] Models(JsonElement value) => value.ValueKind == JsonValueKind.Null ? [] : Strings(value, "models");

    internal static string? Text(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString()!.Trim(),
        _ => throw new KeyRequestException($"{name} must be a string.", name),
    };

    internal static decimal? Budget(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out decimal budget) || budget < 0)
        {
            throw new KeyRequestException("max_budget must be a number of US dollars, 0 or more (or null for no budget).", "max_budget");
        }

        return budget;
    }

    internal static int? Count(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int count) || count <= 0)
        {
            throw new KeyRequestException($"{name} must be a whole number above 0 (or null for no limit).", name);
        }

        return count;
    }

    internal static KeyDuration? Duration(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString() is "permanent" or ""))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && KeyDuration.TryParse(value.GetString(), out KeyDuration? duration)
            ? duration
            : throw new KeyRequestException($"{name} must be {KeyDuration.Format}, or null.", name);
    }
}
