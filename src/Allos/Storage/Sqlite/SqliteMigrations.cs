using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>The schema, as versioned migrations recorded in <c>schema_version</c>.</summary>
internal static class SqliteMigrations
{
    /// <summary>Every migration, in order. Append new ones; never edit a released one.</summary>
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                title TEXT,
                agent TEXT,
                model TEXT,
                parent_id TEXT,
                created INTEGER NOT NULL,
                updated INTEGER NOT NULL,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cached_input_tokens INTEGER NOT NULL DEFAULT 0,
                reasoning_tokens INTEGER NOT NULL DEFAULT 0,
                cost_nanos INTEGER,
                pinned INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX sessions_updated ON sessions (updated DESC);
            CREATE INDEX sessions_agent ON sessions (agent, updated DESC);

            CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                role TEXT NOT NULL,
                json TEXT NOT NULL,
                text TEXT NOT NULL,
                run_id TEXT,
                created INTEGER NOT NULL,
                UNIQUE (session_id, seq)
            );

            -- External-content index kept in step with messages by triggers (cascaded deletes fire them too).
            CREATE VIRTUAL TABLE messages_fts USING fts5 (
                text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
            END;
            CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
            END;
            CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
                INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
                INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
            END;

            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                status TEXT NOT NULL,
                started INTEGER NOT NULL,
                ended INTEGER,
                host TEXT,
                pid INTEGER,
                process_started INTEGER
            );
            CREATE INDEX runs_session ON runs (session_id);
            CREATE INDEX runs_status ON runs (status);

            -- Telemetry rows reference sessions loosely (no foreign key): they may be recorded for sessions never stored.
            CREATE TABLE model_calls (
                id INTEGER PRIMARY KEY,
                time INTEGER NOT NULL,
                session_id TEXT,
                run_id TEXT,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                latency_ms REAL NOT NULL,
                input_tokens INTEGER,
                output_tokens INTEGER,
                cached_input_tokens INTEGER,
                reasoning_tokens INTEGER,
                cost_nanos INTEGER,
                status TEXT NOT NULL,
                error TEXT
            );
            CREATE INDEX model_calls_time ON model_calls (time);
            CREATE INDEX model_calls_session ON model_calls (session_id);

            CREATE TABLE tool_executions (
                id INTEGER PRIMARY KEY,
                time INTEGER NOT NULL,
                session_id TEXT,
                run_id TEXT,
                tool_name TEXT NOT NULL,
                call_id TEXT,
                latency_ms REAL NOT NULL,
                status TEXT NOT NULL,
                error TEXT
            );
            CREATE INDEX tool_executions_time ON tool_executions (time);
            CREATE INDEX tool_executions_session ON tool_executions (session_id);

            CREATE TABLE run_steps (
                id INTEGER PRIMARY KEY,
                time INTEGER NOT NULL,
                session_id TEXT,
                run_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                agent TEXT NOT NULL,
                model TEXT,
                tool_name TEXT,
                call_id TEXT,
                input TEXT,
                output TEXT,
                status TEXT,
                input_tokens INTEGER,
                output_tokens INTEGER,
                cached_input_tokens INTEGER,
                reasoning_tokens INTEGER,
                latency_ms REAL NOT NULL
            );
            CREATE INDEX run_steps_run ON run_steps (run_id);
            CREATE INDEX run_steps_time ON run_steps (time);
            CREATE INDEX run_steps_session ON run_steps (session_id);
            """),

        // Gateway calls: what was asked (alias) and who served it, budget keys, cache hits, retries, fallbacks, streaming.
        // Old rows get NULL or the defaults: no alias or deployment, not cached, not retried, not streamed.
        new(2, """
            ALTER TABLE model_calls ADD COLUMN alias TEXT;
            ALTER TABLE model_calls ADD COLUMN deployment TEXT;
            ALTER TABLE model_calls ADD COLUMN user_key TEXT;
            ALTER TABLE model_calls ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE model_calls ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE model_calls ADD COLUMN fallbacks INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE model_calls ADD COLUMN streaming INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE model_calls ADD COLUMN ttft_ms REAL;

            -- Budget spend is summed per alias, user or session over a period: key first, then time.
            CREATE INDEX model_calls_alias_time ON model_calls (alias, time);
            CREATE INDEX model_calls_user_time ON model_calls (user_key, time);
            -- Replaces the session-only index: the composite serves both session lookups and session spend.
            DROP INDEX model_calls_session;
            CREATE INDEX model_calls_session_time ON model_calls (session_id, time);
            """),

        // The search text grows to tool calls (name and argument values) and tool results: every stored message is
        // indexed again from its JSON (the update trigger keeps messages_fts in step).
        new(3, "", ReindexMessagesAsync),

        // The prompt template a call came from, so costs and failures group by prompt version. Old rows get NULL.
        new(4, """
            ALTER TABLE model_calls ADD COLUMN prompt_name TEXT;
            ALTER TABLE model_calls ADD COLUMN prompt_version INTEGER;
            """),

        // The gateway's virtual keys, by the SHA-256 of the key (the key itself is never stored). Models is a JSON array.
        new(5, """
            CREATE TABLE virtual_keys (
                hash TEXT PRIMARY KEY,
                key_name TEXT,
                alias TEXT UNIQUE,
                models TEXT NOT NULL DEFAULT '[]',
                max_budget_nanos INTEGER,
                budget_duration TEXT,
                budget_reset_at INTEGER,
                spend_nanos INTEGER NOT NULL DEFAULT 0,
                rpm_limit INTEGER,
                tpm_limit INTEGER,
                max_parallel_requests INTEGER,
                expires INTEGER,
                user_id TEXT,
                team_id TEXT,
                metadata TEXT,
                created INTEGER NOT NULL,
                blocked INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX virtual_keys_user ON virtual_keys (user_id);
            CREATE INDEX virtual_keys_team ON virtual_keys (team_id);
            """),

        // The gateway's spend log: each call's request id and who sent it (the key's hash, never the key; its alias and
        // team; the ingress path). Old rows get NULL. /spend/logs and key spend read by key hash over a period.
        new(6, """
            ALTER TABLE model_calls ADD COLUMN request_id TEXT;
            ALTER TABLE model_calls ADD COLUMN key_hash TEXT;
            ALTER TABLE model_calls ADD COLUMN key_alias TEXT;
            ALTER TABLE model_calls ADD COLUMN team_id TEXT;
            ALTER TABLE model_calls ADD COLUMN endpoint TEXT;
            CREATE INDEX model_calls_key_time ON model_calls (key_hash, time);
            """),
        // The gateway's users and teams: a budget, limits and models shared by their keys. Kind is 'user' or 'team'.
        new(7, """
            CREATE TABLE budget_accounts (
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                alias TEXT,
                models TEXT NOT NULL DEFAULT '[]',
                max_budget_nanos INTEGER,
                budget_duration TEXT,
                budget_reset_at INTEGER,
                spend_nanos INTEGER NOT NULL DEFAULT 0,
                rpm_limit INTEGER,
                tpm_limit INTEGER,
                max_parallel_requests INTEGER,
                metadata TEXT,
                created INTEGER NOT NULL,
                blocked INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (kind, id)
            );
            """),
    ];

    /// <summary>Gets the schema version of a file with every migration applied.</summary>
    public static int Latest => All.Max(migration => migration.Version);

    private static async Task ReindexMessagesAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Text)>();
        using (SqliteCommand select = SqliteDatabase.Command(connection, transaction, "SELECT id, json, text FROM messages;"))
        using (SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string text = MessageJson.SearchText(MessageJson.Deserialize(reader.GetString(1)));
                if (text != reader.GetString(2))
                {
                    rows.Add((reader.GetInt64(0), text));
                }
            }
        }

        using SqliteCommand update = SqliteDatabase.Command(connection, transaction, "UPDATE messages SET text = $text WHERE id = $id;");
        SqliteParameter id = update.Parameters.Add("$id", SqliteType.Integer);
        SqliteParameter value = update.Parameters.Add("$text", SqliteType.Text);
        foreach ((long rowId, string text) in rows)
        {
            id.Value = rowId;
            value.Value = text;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the file's schema version without writing (0 for a file no migration has touched).</summary>
    public static async Task<long> VersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using SqliteCommand exists = SqliteDatabase.Command(connection, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';");
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
        {
            return 0;
        }

        using SqliteCommand read = SqliteDatabase.Command(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
        return (long)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Switches the file to WAL and applies the missing migrations, each in an immediate transaction that re-reads the
    /// version first, so two processes opening a new file at once apply each migration exactly once.
    /// </summary>
    /// <returns>The versions applied by this call.</returns>
    public static async Task<IReadOnlyList<int>> ApplyAsync(SqliteConnection connection, IReadOnlyList<SqliteMigration> migrations, long nowMs, CancellationToken cancellationToken)
    {
        // WAL is a property of the file: set once, it stays. It lets readers run beside the one writer.
        using (SqliteCommand wal = SqliteDatabase.Command(connection, null, "PRAGMA journal_mode=WAL;"))
        {
            await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new List<int>();
        foreach (SqliteMigration migration in migrations.OrderBy(m => m.Version))
        {
            // BeginTransaction() issues BEGIN IMMEDIATE: the write lock is taken before the version is read.
            using SqliteTransaction transaction = connection.BeginTransaction();
            using (SqliteCommand create = SqliteDatabase.Command(connection, transaction,
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL);"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            long current;
            using (SqliteCommand read = SqliteDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"))
            {
                current = (long)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            if (migration.Version <= current)
            {
                continue;
            }

            if (migration.Sql.Length > 0)
            {
                using SqliteCommand apply = SqliteDatabase.Command(connection, transaction, migration.Sql);
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (migration.Code is { } code)
            {
                await code(connection, transaction, cancellationToken).ConfigureAwait(false);
            }

            using (SqliteCommand record = SqliteDatabase.Command(connection, transaction, "INSERT INTO schema_version (version, applied) VALUES ($v, $t);"))
            {
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$t", nowMs);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(migration.Version);
        }

        return applied;
    }
}
