using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>The schema, as versioned migrations recorded in <c>schema_migrations</c>.</summary>
/// <remarks>
/// Times are Unix milliseconds and costs integer nano-units, as in SQLite, so both stores answer alike. The spend log
/// (<c>model_calls</c>) is partitioned by month (<see cref="PostgresPartitions"/> creates partitions as rows need them);
/// <c>model_call_daily</c> rolls it up per day and dimension so spend and stats read days, not calls.
/// </remarks>
internal static class PostgresMigrations
{
    /// <summary>Any constant both the store and its migrations agree on; other applications' locks are unlikely to collide.</summary>
    private const long MigrationLock = 0x616c6c6f735f6d;

    /// <summary>Every migration, in order. Append new ones; never edit a released one.</summary>
    public static IReadOnlyList<(int Version, string Sql)> All { get; } =
    [
        (1, """
            CREATE TABLE sessions (
                id text PRIMARY KEY,
                title text,
                agent text,
                model text,
                parent_id text,
                created bigint NOT NULL,
                updated bigint NOT NULL,
                input_tokens bigint NOT NULL DEFAULT 0,
                output_tokens bigint NOT NULL DEFAULT 0,
                cached_input_tokens bigint NOT NULL DEFAULT 0,
                reasoning_tokens bigint NOT NULL DEFAULT 0,
                cost_nanos bigint,
                pinned boolean NOT NULL DEFAULT false
            );
            CREATE INDEX sessions_updated ON sessions (updated DESC);
            CREATE INDEX sessions_agent ON sessions (agent, updated DESC);

            -- search holds the text's words as the store tokenizes them (PostgresSearch), so queries and index agree.
            CREATE TABLE messages (
                id bigserial PRIMARY KEY,
                session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                seq bigint NOT NULL,
                role text NOT NULL,
                json text NOT NULL,
                text text NOT NULL,
                search tsvector NOT NULL,
                run_id text,
                created bigint NOT NULL,
                UNIQUE (session_id, seq)
            );
            CREATE INDEX messages_search ON messages USING gin (search);

            CREATE TABLE runs (
                id text PRIMARY KEY,
                session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                status text NOT NULL,
                started bigint NOT NULL,
                ended bigint,
                host text,
                pid integer,
                process_started bigint
            );
            CREATE INDEX runs_session ON runs (session_id);
            CREATE INDEX runs_status ON runs (status);

            -- The spend log. Partitioned by month on time; the primary key must hold the partition key.
            CREATE TABLE model_calls (
                id bigserial,
                time bigint NOT NULL,
                session_id text,
                run_id text,
                provider text NOT NULL,
                model text NOT NULL,
                latency_ms double precision NOT NULL,
                input_tokens bigint,
                output_tokens bigint,
                cached_input_tokens bigint,
                reasoning_tokens bigint,
                cost_nanos bigint,
                status text NOT NULL,
                error text,
                alias text,
                deployment text,
                user_key text,
                cache_hit boolean NOT NULL DEFAULT false,
                retries integer NOT NULL DEFAULT 0,
                fallbacks integer NOT NULL DEFAULT 0,
                streaming boolean NOT NULL DEFAULT false,
                ttft_ms double precision,
                prompt_name text,
                prompt_version integer,
                request_id text,
                key_hash text,
                key_alias text,
                team_id text,
                endpoint text,
                PRIMARY KEY (time, id)
            ) PARTITION BY RANGE (time);
            CREATE INDEX model_calls_key_time ON model_calls (key_hash, time);
            CREATE INDEX model_calls_user_time ON model_calls (user_key, time);
            CREATE INDEX model_calls_model_time ON model_calls (model, time);
            CREATE INDEX model_calls_alias_time ON model_calls (alias, time);
            CREATE INDEX model_calls_session_time ON model_calls (session_id, time);

            -- One row per day, dimension (alias, user, key, …) and value, kept in step by the telemetry writer.
            CREATE TABLE model_call_daily (
                day bigint NOT NULL,
                dimension text NOT NULL,
                value text NOT NULL,
                calls bigint NOT NULL,
                input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cached_input_tokens bigint NOT NULL,
                reasoning_tokens bigint NOT NULL,
                cost_nanos bigint,
                unknown_cost bigint NOT NULL,
                cache_hits bigint NOT NULL,
                retries bigint NOT NULL,
                fallbacks bigint NOT NULL,
                errors bigint NOT NULL,
                PRIMARY KEY (dimension, value, day)
            );

            CREATE TABLE tool_executions (
                id bigserial PRIMARY KEY,
                time bigint NOT NULL,
                session_id text,
                run_id text,
                tool_name text NOT NULL,
                call_id text,
                latency_ms double precision NOT NULL,
                status text NOT NULL,
                error text
            );
            CREATE INDEX tool_executions_time ON tool_executions (time);
            CREATE INDEX tool_executions_session ON tool_executions (session_id);

            CREATE TABLE run_steps (
                id bigserial PRIMARY KEY,
                time bigint NOT NULL,
                session_id text,
                run_id text NOT NULL,
                kind text NOT NULL,
                agent text NOT NULL,
                model text,
                tool_name text,
                call_id text,
                input text,
                output text,
                status text,
                input_tokens bigint,
                output_tokens bigint,
                cached_input_tokens bigint,
                reasoning_tokens bigint,
                latency_ms double precision NOT NULL
            );
            CREATE INDEX run_steps_run ON run_steps (run_id);
            CREATE INDEX run_steps_time ON run_steps (time);
            CREATE INDEX run_steps_session ON run_steps (session_id);

            CREATE TABLE virtual_keys (
                hash text PRIMARY KEY,
                key_name text,
                alias text UNIQUE,
                models text NOT NULL DEFAULT '[]',
                max_budget_nanos bigint,
                budget_duration text,
                budget_reset_at bigint,
                spend_nanos bigint NOT NULL DEFAULT 0,
                rpm_limit integer,
                tpm_limit integer,
                max_parallel_requests integer,
                expires bigint,
                user_id text,
                team_id text,
                metadata text,
                created bigint NOT NULL,
                blocked boolean NOT NULL DEFAULT false
            );
            CREATE INDEX virtual_keys_user ON virtual_keys (user_id);
            CREATE INDEX virtual_keys_team ON virtual_keys (team_id);

            CREATE TABLE budget_accounts (
                kind text NOT NULL,
                id text NOT NULL,
                alias text,
                models text NOT NULL DEFAULT '[]',
                max_budget_nanos bigint,
                budget_duration text,
                budget_reset_at bigint,
                spend_nanos bigint NOT NULL DEFAULT 0,
                rpm_limit integer,
                tpm_limit integer,
                max_parallel_requests integer,
                metadata text,
                created bigint NOT NULL,
                blocked boolean NOT NULL DEFAULT false,
                PRIMARY KEY (kind, id)
            );
            """),

        // Versions 2 and 3 come from another line of work; keep the list sorted by version.
        (4, """
            -- The Routers' shared cooldowns (PostgresSharedCooldowns): a deployment's latest cooldown end, Unix ms.
            CREATE TABLE deployment_cooldowns (
                deployment text PRIMARY KEY,
                until bigint NOT NULL
            );
            """),
    ];

    public static int Latest => All.Max(m => m.Version);

    /// <summary>
    /// Applies the missing migrations in one transaction under an advisory lock, so instances opening the database at
    /// once apply each exactly once (the others wait, then find nothing to do). DDL is transactional in PostgreSQL:
    /// a failed migration leaves the schema as it was.
    /// </summary>
    /// <returns>The versions applied by this call.</returns>
    public static async Task<IReadOnlyList<int>> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<(int Version, string Sql)> migrations, long nowMs, CancellationToken cancellationToken)
    {
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (NpgsqlCommand prepare = PostgresDatabase.Command(connection, transaction, """
            SELECT pg_advisory_xact_lock(@lock);
            CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied bigint NOT NULL);
            """))
        {
            prepare.Parameters.Long("lock", MigrationLock);
            await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int current;
        using (NpgsqlCommand read = PostgresDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var applied = new List<int>();
        foreach ((int version, string sql) in migrations.OrderBy(m => m.Version).Where(m => m.Version > current))
        {
            using (NpgsqlCommand apply = PostgresDatabase.Command(connection, transaction, sql))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (NpgsqlCommand record = PostgresDatabase.Command(connection, transaction, "INSERT INTO schema_migrations (version, applied) VALUES (@v, @t);"))
            {
                record.Parameters.Int("v", version).Long("t", nowMs);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            applied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }
}
