using System.Globalization;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>
/// Sessions, messages and runs in PostgreSQL, with the same behaviour as the SQLite store. Each write is one short
/// transaction on a pooled connection. This part holds the sessions themselves; messages, search and runs are the others.
/// </summary>
internal sealed partial class PostgresSessionStore(PostgresDatabase database) : ISessionStore
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

        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand insert = PostgresDatabase.Command(connection, null, $"""
            INSERT INTO sessions ({SessionColumns})
            VALUES (@id, @title, @agent, @model, @parent, @created, @updated, @in, @out, @cached, @reasoning, @cost, @pinned);
            """);
        insert.Parameters.Text("id", stored.Id).Text("title", stored.Title).Text("agent", stored.Agent).Text("model", stored.Model)
            .Text("parent", stored.ParentId).Long("created", stored.Created.ToUnixTimeMilliseconds()).Long("updated", stored.Updated.ToUnixTimeMilliseconds())
            .Long("in", stored.InputTokens).Long("out", stored.OutputTokens).Long("cached", stored.CachedInputTokens)
            .Long("reasoning", stored.ReasoningTokens).Long("cost", PostgresDatabase.ToNanos(stored.Cost)).Bool("pinned", stored.Pinned);
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"A session with id '{stored.Id}' already exists.", e);
        }

        // Times are stored in milliseconds; return what a later read returns.
        return stored with
        {
            Created = PostgresDatabase.FromMs(stored.Created.ToUnixTimeMilliseconds()),
            Updated = PostgresDatabase.FromMs(stored.Updated.ToUnixTimeMilliseconds()),
        };
    }

    public async Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"SELECT {SessionColumns} FROM sessions WHERE id = @id;");
        select.Parameters.Text("id", sessionId);
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadSession(reader) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, $"""
            SELECT {SessionColumns} FROM sessions
            WHERE (@agent::text IS NULL OR agent = @agent)
                AND (@prefix::text IS NULL OR lower(left(id, length(@prefix))) = lower(@prefix))
                AND (@before::bigint IS NULL OR updated < @before)
            ORDER BY updated DESC, id LIMIT @limit OFFSET @offset;
            """);
        select.Parameters.Text("agent", query.Agent).Text("prefix", query.IdPrefix).Long("before", query.UpdatedBefore?.ToUnixTimeMilliseconds())
            .Int("limit", query.Limit).Int("offset", query.Offset);
        var sessions = new List<SessionRecord>();
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        // Pinning is not a change to the conversation: it keeps its place among the most recent (and its age for cleanup).
        bool touch = update with { Pinned = null } != new SessionUpdate();
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand command = PostgresDatabase.Command(connection, null, """
            UPDATE sessions SET
                updated = CASE WHEN @touch THEN @now ELSE updated END,
                title = COALESCE(@title, title),
                model = COALESCE(@model, model),
                agent = COALESCE(@agent, agent),
                pinned = COALESCE(@pinned, pinned),
                input_tokens = COALESCE(@in, input_tokens),
                output_tokens = COALESCE(@out, output_tokens),
                cost_nanos = COALESCE(@cost, cost_nanos)
            WHERE id = @id;
            """);
        command.Parameters.Text("id", sessionId).Long("now", database.NowMs).Bool("touch", touch).Text("title", update.Title)
            .Text("model", update.Model).Text("agent", update.Agent).Bool("pinned", update.Pinned).Long("in", update.InputTokens)
            .Long("out", update.OutputTokens).Long("cost", PostgresDatabase.ToNanos(update.Cost));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<string> ForkAsync(string sessionId, long? upToSequence = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        string forkId = NewId();
        long now = database.NowMs;
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (NpgsqlCommand copy = PostgresDatabase.Command(connection, transaction, """
            INSERT INTO sessions (id, title, agent, model, parent_id, created, updated, pinned)
            SELECT @fork, title, agent, model, id, @now, @now, false FROM sessions WHERE id = @id;
            """))
        {
            copy.Parameters.Text("fork", forkId).Text("id", sessionId).Long("now", now);
            if (await copy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new KeyNotFoundException($"There is no session '{sessionId}' to fork.");
            }
        }

        using (NpgsqlCommand messages = PostgresDatabase.Command(connection, transaction, """
            INSERT INTO messages (session_id, seq, role, json, text, search, run_id, created)
            SELECT @fork, seq, role, json, text, search, run_id, created FROM messages
            WHERE session_id = @id AND (@upTo::bigint IS NULL OR seq <= @upTo) ORDER BY seq;
            """))
        {
            messages.Parameters.Text("fork", forkId).Text("id", sessionId).Long("upTo", upToSequence);
            await messages.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return forkId;
    }

    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand clear = PostgresDatabase.Command(connection, null, """
            DELETE FROM messages WHERE session_id = @id;
            DELETE FROM runs WHERE session_id = @id;
            UPDATE sessions SET updated = @now WHERE id = @id;
            """);
        // Several statements in one command run in one implicit transaction.
        clear.Parameters.Text("id", sessionId).Long("now", database.NowMs);
        await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int deleted = await DeleteSessionsAsync(connection, transaction, "id = @id", p => p.Text("id", sessionId), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <summary>
    /// Deletes the sessions matching <paramref name="where"/> with everything holding their content: messages and runs
    /// cascade; run steps and tool executions are deleted; model calls are kept for accounting, detached (and their
    /// daily rollup moves to "no session" with them).
    /// </summary>
    internal static async Task<int> DeleteSessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string where, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        string[] statements =
        [
            $"CREATE TEMP TABLE doomed_sessions ON COMMIT DROP AS SELECT id FROM sessions WHERE {where};",
            "DELETE FROM run_steps WHERE session_id IN (SELECT id FROM doomed_sessions);",
            "DELETE FROM tool_executions WHERE session_id IN (SELECT id FROM doomed_sessions);",
            "UPDATE model_calls SET session_id = NULL WHERE session_id IN (SELECT id FROM doomed_sessions);",
            PostgresRollup.MoveToNoSessionSql,
            "DELETE FROM sessions WHERE id IN (SELECT id FROM doomed_sessions);",
        ];
        int sessions = 0;
        for (int i = 0; i < statements.Length; i++)
        {
            using NpgsqlCommand command = PostgresDatabase.Command(connection, transaction, statements[i]);
            if (i == 0)
            {
                bind(command.Parameters);
            }

            sessions = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return sessions;
    }

    private static SessionRecord ReadSession(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Title = reader.TextOrNull(1),
        Agent = reader.TextOrNull(2),
        Model = reader.TextOrNull(3),
        ParentId = reader.TextOrNull(4),
        Created = PostgresDatabase.FromMs(reader.GetInt64(5)),
        Updated = PostgresDatabase.FromMs(reader.GetInt64(6)),
        InputTokens = reader.GetInt64(7),
        OutputTokens = reader.GetInt64(8),
        CachedInputTokens = reader.GetInt64(9),
        ReasoningTokens = reader.GetInt64(10),
        Cost = PostgresDatabase.FromNanos(reader, 11),
        Pinned = reader.GetBoolean(12),
    };

    // Random from the first character, as the SQLite store's: a short prefix names one session.
    private static string NewId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
}
