using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>
/// Sessions, messages and runs in SQLite. Each write is one short immediate transaction on a pooled connection. This
/// part holds the sessions themselves; messages, search and runs are the other parts.
/// </summary>
internal sealed partial class SqliteSessionStore(SqliteDatabase database) : ISessionStore
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
            WHERE ($agent IS NULL OR agent = $agent)
                AND ($prefix IS NULL OR lower(substr(id, 1, length($prefix))) = lower($prefix))
                AND ($before IS NULL OR updated < $before)
            ORDER BY updated DESC, id LIMIT $limit OFFSET $offset;
            """);
        select.Parameters.AddWithValue("$agent", SqliteDatabase.OrNull(query.Agent));
        select.Parameters.AddWithValue("$prefix", SqliteDatabase.OrNull(query.IdPrefix));
        select.Parameters.AddWithValue("$before", SqliteDatabase.OrNull(query.UpdatedBefore?.ToUnixTimeMilliseconds()));
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

    public async Task<bool> UpdateAsync(string sessionId, SessionUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(update);
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        // Pinning is not a change to the conversation: it keeps its place among the most recent (and its age for cleanup).
        bool touch = update with { Pinned = null } != new SessionUpdate();
        using SqliteCommand command = SqliteDatabase.Command(connection, null, """
            UPDATE sessions SET
                updated = CASE WHEN $touch THEN $now ELSE updated END,
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
        command.Parameters.AddWithValue("$touch", touch);
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

    // Random from the first character (not time-ordered like a version 7 GUID, whose first 8 characters are the same
    // for a minute): a short prefix names one session, which is how people type ids (`allos sessions show 3f9a`).
    private static string NewId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

}
