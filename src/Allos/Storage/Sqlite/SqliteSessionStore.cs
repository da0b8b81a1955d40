using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Allos.Storage.Sqlite;

/// <summary>Sessions, messages and runs in SQLite. Each write is one short immediate transaction on a pooled connection.</summary>
internal sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    private const string SessionColumns =
        "id, title, agent, model, parent_id, created, updated, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos, pinned";

    public async Task<SessionRecord> CreateAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        DateTimeOffset now = database.TimeProvider.GetUtcNow();
        SessionRecord stored = session with
        {
            Id = session.Id.Length > 0 ? session.Id : NewId(),
            Created = session.Created == default ? now : session.Created,
            Updated = session.Updated == default ? now : session.Updated,
        };

        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand insert = SqliteDatabase.Command(connection, null, $"""
            INSERT INTO sessions ({SessionColumns})
            VALUES ($id, $title, $agent, $model, $parent, $created, $updated, $in, $out, $cached, $reasoning, $cost, $pinned);
            """);
        insert.Parameters.AddWithValue("$id", stored.Id);
        insert.Parameters.AddWithValue("$title", SqliteDatabase.OrNull(stored.Title));
        insert.Parameters.AddWithValue("$agent", SqliteDatabase.OrNull(stored.Agent));
        insert.Parameters.AddWithValue("$model", SqliteDatabase.OrNull(stored.Model));
        insert.Parameters.AddWithValue("$parent", SqliteDatabase.OrNull(stored.ParentId));
        insert.Parameters.AddWithValue("$created", stored.Created.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$updated", stored.Updated.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$in", stored.InputTokens);
        insert.Parameters.AddWithValue("$out", stored.OutputTokens);
        insert.Parameters.AddWithValue("$cached", stored.CachedInputTokens);
        insert.Parameters.AddWithValue("$reasoning", stored.ReasoningTokens);
        insert.Parameters.AddWithValue("$cost", SqliteDatabase.ToNanos(stored.Cost));
        insert.Parameters.AddWithValue("$pinned", stored.Pinned);
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new InvalidOperationException($"A session with id '{stored.Id}' already exists.", e);
        }

        // Times are stored in milliseconds; return what a later read returns.
        return stored with
        {
            Created = SqliteDatabase.FromMs(stored.Created.ToUnixTimeMilliseconds()),
            Updated = SqliteDatabase.FromMs(stored.Updated.ToUnixTimeMilliseconds()),
        };
    }

    public async Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"SELECT {SessionColumns} FROM sessions WHERE id = $id;");
        select.Parameters.AddWithValue("$id", sessionId);
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadSession(reader) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, $"""
            SELECT {SessionColumns} FROM sessions
            WHERE $agent IS NULL OR agent = $agent
            ORDER BY updated DESC, id LIMIT $limit OFFSET $offset;
            """);
        select.Parameters.AddWithValue("$agent", SqliteDatabase.OrNull(query.Agent));
        select.Parameters.AddWithValue("$limit", query.Limit);
        select.Parameters.AddWithValue("$offset", query.Offset);
        var sessions = new List<SessionRecord>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader));
        }

        return sessions;
    }

    public Task<long> AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, turn, replace: false, cancellationToken);

    public Task<long> ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, turn, replace: true, cancellationToken);

    private async Task<long> WriteMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);

        // Serialize before taking the write lock, to keep the transaction short.
        var rows = messages.Select(m => (Role: m.Role.Value, Json: MessageJson.Serialize(m), Text: MessageJson.SearchText(m))).ToList();
        long now = database.NowMs;

        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();

        using (SqliteCommand update = SqliteDatabase.Command(connection, transaction, """
            UPDATE sessions SET
                updated = $now,
                model = COALESCE($model, model),
                input_tokens = input_tokens + $in,
                output_tokens = output_tokens + $out,
                cached_input_tokens = cached_input_tokens + $cached,
                reasoning_tokens = reasoning_tokens + $reasoning,
                cost_nanos = CASE WHEN $cost IS NULL THEN cost_nanos ELSE COALESCE(cost_nanos, 0) + $cost END
            WHERE id = $id;
            """))
        {
            update.Parameters.AddWithValue("$id", sessionId);
            update.Parameters.AddWithValue("$now", now);
            update.Parameters.AddWithValue("$model", SqliteDatabase.OrNull(turn?.Model));
            update.Parameters.AddWithValue("$in", turn?.InputTokens ?? 0);
            update.Parameters.AddWithValue("$out", turn?.OutputTokens ?? 0);
            update.Parameters.AddWithValue("$cached", turn?.CachedInputTokens ?? 0);
            update.Parameters.AddWithValue("$reasoning", turn?.ReasoningTokens ?? 0);
            update.Parameters.AddWithValue("$cost", SqliteDatabase.ToNanos(turn?.Cost));
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new KeyNotFoundException($"There is no session '{sessionId}'; create it first.");
            }
        }

        if (replace)
        {
            // In the same transaction as the new messages: a crash leaves the old history or the new one, never neither.
            await ExecuteAsync(connection, transaction, "DELETE FROM messages WHERE session_id = $id;", sessionId, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "DELETE FROM runs WHERE session_id = $id;", sessionId, cancellationToken).ConfigureAwait(false);
        }

        long seq;
        using (SqliteCommand last = SqliteDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = $id;"))
        {
            last.Parameters.AddWithValue("$id", sessionId);
            seq = (long)(await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (rows.Count > 0)
        {
            using SqliteCommand insert = SqliteDatabase.Command(connection, transaction, """
                INSERT INTO messages (session_id, seq, role, json, text, run_id, created) VALUES ($id, $seq, $role, $json, $text, $run, $now);
                """);
            insert.Parameters.AddWithValue("$id", sessionId);
            insert.Parameters.AddWithValue("$now", now);
            insert.Parameters.AddWithValue("$run", SqliteDatabase.OrNull(turn?.RunId));
            SqliteParameter seqParameter = insert.Parameters.Add("$seq", SqliteType.Integer);
            SqliteParameter role = insert.Parameters.Add("$role", SqliteType.Text);
            SqliteParameter json = insert.Parameters.Add("$json", SqliteType.Text);
            SqliteParameter text = insert.Parameters.Add("$text", SqliteType.Text);
            foreach (var row in rows)
            {
                seqParameter.Value = ++seq;
                role.Value = row.Role;
                json.Value = row.Json;
                text.Value = row.Text;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Not cancellable: once the rows are written, the commit must not be abandoned half-way.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : seq;
    }

    public async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null,
            "SELECT seq, json, created, run_id FROM messages WHERE session_id = $id ORDER BY seq;");
        select.Parameters.AddWithValue("$id", sessionId);
        var messages = new List<StoredMessage>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(new StoredMessage(
                reader.GetInt64(0),
                MessageJson.Deserialize(reader.GetString(1)),
                SqliteDatabase.FromMs(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return messages;
    }

    public async Task<bool> UpdateAsync(string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(update);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = SqliteDatabase.Command(connection, null, """
            UPDATE sessions SET
                updated = $now,
                title = COALESCE($title, title),
                model = COALESCE($model, model),
                agent = COALESCE($agent, agent),
                pinned = COALESCE($pinned, pinned),
                input_tokens = COALESCE($in, input_tokens),
                output_tokens = COALESCE($out, output_tokens),
                cost_nanos = COALESCE($cost, cost_nanos)
            WHERE id = $id;
            """);
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$now", database.NowMs);
        command.Parameters.AddWithValue("$title", SqliteDatabase.OrNull(update.Title));
        command.Parameters.AddWithValue("$model", SqliteDatabase.OrNull(update.Model));
        command.Parameters.AddWithValue("$agent", SqliteDatabase.OrNull(update.Agent));
        command.Parameters.AddWithValue("$pinned", SqliteDatabase.OrNull(update.Pinned));
        command.Parameters.AddWithValue("$in", SqliteDatabase.OrNull(update.InputTokens));
        command.Parameters.AddWithValue("$out", SqliteDatabase.OrNull(update.OutputTokens));
        command.Parameters.AddWithValue("$cost", SqliteDatabase.ToNanos(update.Cost));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<string> ForkAsync(string sessionId, long? upToSequence = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        string forkId = NewId();
        long now = database.NowMs;
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        using (SqliteCommand copy = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO sessions (id, title, agent, model, parent_id, created, updated, pinned)
            SELECT $fork, title, agent, model, id, $now, $now, 0 FROM sessions WHERE id = $id;
            """))
        {
            copy.Parameters.AddWithValue("$fork", forkId);
            copy.Parameters.AddWithValue("$id", sessionId);
            copy.Parameters.AddWithValue("$now", now);
            if (await copy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new KeyNotFoundException($"There is no session '{sessionId}' to fork.");
            }
        }

        using (SqliteCommand messages = SqliteDatabase.Command(connection, transaction, """
            INSERT INTO messages (session_id, seq, role, json, text, run_id, created)
            SELECT $fork, seq, role, json, text, run_id, created FROM messages
            WHERE session_id = $id AND ($upTo IS NULL OR seq <= $upTo) ORDER BY seq;
            """))
        {
            messages.Parameters.AddWithValue("$fork", forkId);
            messages.Parameters.AddWithValue("$id", sessionId);
            messages.Parameters.AddWithValue("$upTo", SqliteDatabase.OrNull(upToSequence));
            await messages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return forkId;
    }

    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        await ExecuteAsync(connection, transaction, "DELETE FROM messages WHERE session_id = $id;", sessionId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "DELETE FROM runs WHERE session_id = $id;", sessionId, cancellationToken).ConfigureAwait(false);
        using (SqliteCommand touch = SqliteDatabase.Command(connection, transaction, "UPDATE sessions SET updated = $now WHERE id = $id;"))
        {
            touch.Parameters.AddWithValue("$id", sessionId);
            touch.Parameters.AddWithValue("$now", database.NowMs);
            await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        int deleted = await DeleteSessionsAsync(connection, transaction, "id = $id", p => p.AddWithValue("$id", sessionId), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <summary>
    /// Deletes the sessions matching <paramref name="where"/> with everything holding their content: messages and runs
    /// cascade; run steps and tool executions are deleted; model calls are kept for accounting, detached.
    /// </summary>
    internal static async Task<int> DeleteSessionsAsync(
        SqliteConnection connection, SqliteTransaction transaction, string where, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken)
    {
        string[] statements =
        [
            $"DELETE FROM run_steps WHERE session_id IN (SELECT id FROM sessions WHERE {where});",
            $"DELETE FROM tool_executions WHERE session_id IN (SELECT id FROM sessions WHERE {where});",
            $"UPDATE model_calls SET session_id = NULL WHERE session_id IN (SELECT id FROM sessions WHERE {where});",
            $"DELETE FROM sessions WHERE {where};",
        ];
        int sessions = 0;
        foreach (string sql in statements)
        {
            using SqliteCommand command = SqliteDatabase.Command(connection, transaction, sql);
            bind(command.Parameters);
            sessions = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return sessions;
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (FtsQuery.Build(text) is not { } match)
        {
            return [];
        }

        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, """
            SELECT m.session_id, m.seq, m.json, snippet(messages_fts, 0, '[', ']', '…', 16)
            FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
            WHERE messages_fts MATCH $match
            ORDER BY rank LIMIT $limit;
            """);
        select.Parameters.AddWithValue("$match", match);
        select.Parameters.AddWithValue("$limit", limit);
        var hits = new List<SearchHit>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new SearchHit(reader.GetString(0), reader.GetInt64(1), MessageJson.Deserialize(reader.GetString(2)), reader.GetString(3)));
        }

        return hits;
    }

    public async Task MarkRunAsync(string sessionId, string runId, RunMark status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(runId);
        long now = database.NowMs;
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand upsert = SqliteDatabase.Command(connection, null, """
            INSERT INTO runs (id, session_id, status, started, ended, host, pid, process_started)
            VALUES ($id, $session, $status, $now, $ended, $host, $pid, $pstart)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status,
                ended = excluded.ended,
                host = excluded.host,
                pid = excluded.pid,
                process_started = excluded.process_started;
            """);
        upsert.Parameters.AddWithValue("$id", runId);
        upsert.Parameters.AddWithValue("$session", sessionId);
        upsert.Parameters.AddWithValue("$status", ToText(status));
        upsert.Parameters.AddWithValue("$now", now);
        upsert.Parameters.AddWithValue("$ended", status == RunMark.Running ? DBNull.Value : now);
        upsert.Parameters.AddWithValue("$host", ProcessIdentity.Host);
        upsert.Parameters.AddWithValue("$pid", ProcessIdentity.Id);
        upsert.Parameters.AddWithValue("$pstart", ProcessIdentity.StartedMs);
        try
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new KeyNotFoundException($"There is no session '{sessionId}'; create it before marking its runs.", e);
        }
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, "SELECT id, session_id, status, started, ended FROM runs WHERE id = $id;");
        select.Parameters.AddWithValue("$id", runId);
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new RunRecord(
            reader.GetString(0),
            reader.GetString(1),
            FromText(reader.GetString(2)),
            SqliteDatabase.FromMs(reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : SqliteDatabase.FromMs(reader.GetInt64(4)));
    }

    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        var dead = new List<string>();
        using (SqliteCommand select = SqliteDatabase.Command(connection, null,
            "SELECT id, host, pid, process_started FROM runs WHERE status = 'running';"))
        {
            using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Only this machine's processes can be checked; runs owned by other hosts are left to them.
                string? host = reader.IsDBNull(1) ? null : reader.GetString(1);
                if (host != ProcessIdentity.Host || reader.IsDBNull(2))
                {
                    continue;
                }

                long? started = reader.IsDBNull(3) ? null : reader.GetInt64(3);
                if (!ProcessIdentity.IsAlive(reader.GetInt32(2), started))
                {
                    dead.Add(reader.GetString(0));
                }
            }
        }

        if (dead.Count == 0)
        {
            return 0;
        }

        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand mark = SqliteDatabase.Command(connection, transaction,
            "UPDATE runs SET status = 'incomplete', ended = $now WHERE id = $id AND status = 'running';");
        mark.Parameters.AddWithValue("$now", database.NowMs);
        SqliteParameter id = mark.Parameters.Add("$id", SqliteType.Text);
        int marked = 0;
        foreach (string runId in dead)
        {
            id.Value = runId;
            marked += await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return marked;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, string sessionId, CancellationToken cancellationToken)
    {
        using SqliteCommand command = SqliteDatabase.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("$id", sessionId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SessionRecord ReadSession(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Title = reader.IsDBNull(1) ? null : reader.GetString(1),
        Agent = reader.IsDBNull(2) ? null : reader.GetString(2),
        Model = reader.IsDBNull(3) ? null : reader.GetString(3),
        ParentId = reader.IsDBNull(4) ? null : reader.GetString(4),
        Created = SqliteDatabase.FromMs(reader.GetInt64(5)),
        Updated = SqliteDatabase.FromMs(reader.GetInt64(6)),
        InputTokens = reader.GetInt64(7),
        OutputTokens = reader.GetInt64(8),
        CachedInputTokens = reader.GetInt64(9),
        ReasoningTokens = reader.GetInt64(10),
        Cost = SqliteDatabase.FromNanos(reader, 11),
        Pinned = reader.GetBoolean(12),
    };

    private static string NewId() => Guid.CreateVersion7().ToString("N", CultureInfo.InvariantCulture);

    private static string ToText(RunMark status) => status switch
    {
        RunMark.Running => "running",
        RunMark.Completed => "completed",
        RunMark.Incomplete => "incomplete",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    private static RunMark FromText(string status) => status switch
    {
        "running" => RunMark.Running,
        "completed" => RunMark.Completed,
        _ => RunMark.Incomplete,
    };
}
