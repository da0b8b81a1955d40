using Npgsql;
using NpgsqlTypes;

namespace Allos.Storage.Postgres;

/// <summary>Typed parameters: a null needs its type, or the server cannot tell what <c>@x IS NULL</c> compares.</summary>
internal static class NpgsqlParameters
{
    public static NpgsqlParameterCollection Text(this NpgsqlParameterCollection parameters, string name, string? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });
        return parameters;
    }

    public static NpgsqlParameterCollection Long(this NpgsqlParameterCollection parameters, string name, long? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value });
        return parameters;
    }

    public static NpgsqlParameterCollection Int(this NpgsqlParameterCollection parameters, string name, int? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = value is { } v ? v : DBNull.Value });
        return parameters;
    }

    public static NpgsqlParameterCollection Double(this NpgsqlParameterCollection parameters, string name, double? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Double) { Value = value is { } v ? v : DBNull.Value });
        return parameters;
    }

    public static NpgsqlParameterCollection Bool(this NpgsqlParameterCollection parameters, string name, bool? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Boolean) { Value = value is { } v ? v : DBNull.Value });
        return parameters;
    }

    public static NpgsqlParameterCollection TextArray(this NpgsqlParameterCollection parameters, string name, string[] values)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values });
        return parameters;
    }

    public static NpgsqlParameterCollection LongArray(this NpgsqlParameterCollection parameters, string name, long[] values)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values });
        return parameters;
    }

    public static NpgsqlParameterCollection IntArray(this NpgsqlParameterCollection parameters, string name, int[] values)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = values });
        return parameters;
    }

    public static NpgsqlParameterCollection UuidArray(this NpgsqlParameterCollection parameters, string name, Guid[] values)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = values });
        return parameters;
    }

    public static string? TextOrNull(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? LongOrNull(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
