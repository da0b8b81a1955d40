using System.Globalization;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>Reads the store setting: a <c>postgres://</c> URL or an Npgsql connection string.</summary>
internal static class PostgresConnectionString
{
    /// <summary>Whether a store setting names PostgreSQL rather than a SQLite file.</summary>
    public static bool IsPostgres(string? store) =>
        store is not null
        && (store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || store.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the setting; the message of a failure never contains the password.</summary>
    /// <exception cref="ArgumentException">The URL or connection string is malformed.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                return WithDefaults(new NpgsqlConnectionStringBuilder(value), value);
            }
            catch (ArgumentException)
            {
                // Npgsql's message may quote the part it could not read, which can be the password.
                throw new ArgumentException("The PostgreSQL connection string is malformed: write it as Host=…;Port=…;Database=…;Username=…;Password=….");
            }
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("postgres" or "postgresql") || uri.Host.Length == 0)
        {
            throw new ArgumentException("The PostgreSQL URL is malformed: write it as postgres://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            // libpq spells keywords with underscores (sslmode, maximum_pool_size); Npgsql with spaces.
            string key = Uri.UnescapeDataString(kv[0]).Replace('_', ' ');
            string setting = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key == "sslmode" ? "SSL Mode" : key] = setting;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The PostgreSQL URL has an unknown or invalid setting '{kv[0]}'."), ex);
            }
        }

        return WithDefaults(builder, value);
    }

    /// <summary>
    /// The pool settings the store wants unless the setting names them: statements prepared on first use (the store runs
    /// the same few statements all the time) and pooled connections handed back without a reset. Npgsql's default reset
    /// (<c>DISCARD ALL</c>) throws away the plans PostgreSQL cached for <c>allos_reserve</c> and the other functions, so
    /// every call planned them again; the store keeps no session state a reset would have to clear. Name
    /// <c>max_auto_prepare=0</c> for a pooler in transaction mode (PgBouncer before 1.21), which cannot keep prepared statements.
    /// </summary>
    private static NpgsqlConnectionStringBuilder WithDefaults(NpgsqlConnectionStringBuilder builder, string value)
    {
        string spelled = value.Replace('_', ' ');
        if (!spelled.Contains("auto prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 20;
        }

        if (!spelled.Contains("reset on close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder;
    }

    /// <summary>The server as a message may name it: host, port and database, never the user's password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database}");
}
