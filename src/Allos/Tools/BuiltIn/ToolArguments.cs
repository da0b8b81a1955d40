using System.Globalization;
using System.Text.Json;

namespace Allos.Tools.BuiltIn;

/// <summary>Reads the arguments object of a built-in tool.</summary>
/// <remarks>
/// The executor validates arguments against the schema first; these readers still check, because a tool may be
/// invoked directly, and they accept the near misses models produce ("10" for 10, "true" for true).
/// </remarks>
internal static class ToolArguments
{
    public static string GetRequiredString(JsonElement arguments, string name) =>
        GetString(arguments, name) ?? throw new ToolException($"The argument '{name}' is required.");

    public static string? GetString(JsonElement arguments, string name)
    {
        if (!TryGet(arguments, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw new ToolException($"The argument '{name}' must be a string."),
        };
    }

    public static int? GetInt32(JsonElement arguments, string name)
    {
        if (!TryGet(arguments, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number == Math.Floor(number)
            && number is >= int.MinValue and <= int.MaxValue)
        {
            return (int)number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed))
        {
            return parsed;
        }

        throw new ToolException($"The argument '{name}' must be an integer.");
    }

    public static bool? GetBoolean(JsonElement arguments, string name)
    {
        if (!TryGet(arguments, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out bool parsed) => parsed,
            _ => throw new ToolException($"The argument '{name}' must be a boolean."),
        };
    }

    private static bool TryGet(JsonElement arguments, string name, out JsonElement value)
    {
        if (arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty(name, out value)
            && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            return true;
        }

        value = default;
        return false;
    }
}
