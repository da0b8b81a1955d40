using Allos.Storage.Sqlite;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>A session's messages: appending, replacing, reading and searching them.</summary>
internal sealed partial class PostgresSessionStore
{
    public Task<long> AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, turn, replace: false, cancellationToken);

    public Task<long> ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        WriteMessagesAsync(sessionId, messages, turn, replace: true, cancellationToken);

    private async Task<long> WriteMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);

        // Serialized before the transaction, to keep it short. Stored exactly as the SQLite store stores them.
        var rows = messages.Select(m =>
        {
            string text = MessageJson.SearchText(m);
            return (Role: m.Role.Value, Json: MessageJson.Serialize(m), Text: text, Words: PostgresSearch.Document(text));
        }).ToList();
        long now = database.NowMs;

        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The session row's lock (taken by this UPDATE) orders concurrent writers of one session, so each reads the
        // last sequence number after the previous one committed.
        using (NpgsqlCommand update = PostgresDatabase.Command(connection, transaction, """
            UPDATE sessions SET
                updated = @now,
                model = COALESCE(@model, model),
                input_tokens = input_tokens + @in,
                output_tokens = output_tokens + @out,
                cached_input_tokens = cached_input_tokens + @cached,
                reasoning_tokens = reasoning_tokens + @reasoning,
                cost_nanos = CASE WHEN @cost::bigint IS NULL THEN cost_nanos ELSE COALESCE(cost_nanos, 0) + @cost END
            WHERE id = @id;
            """))
        {
            update.Parameters.Text("id", sessionId).Long("now", now).Text("model", turn?.Model).Long("in", turn?.InputTokens ?? 0)
                .Long("out", turn?.OutputTokens ?? 0).Long("cached", turn?.CachedInputTokens ?? 0).Long("reasoning", turn?.ReasoningTokens ?? 0)
                .Long("cost", PostgresDatabase.ToNanos(turn?.Cost));
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new KeyNotFoundException($"There is no session '{sessionId}'; create it first.");
            }
        }

        if (replace)
        {
            // In the same transaction as the new messages: a crash leaves the old history or the new one, never neither.
            using NpgsqlCommand delete = PostgresDatabase.Command(connection, transaction,
                "DELETE FROM messages WHERE session_id = @id; DELETE FROM runs WHERE session_id = @id;");
            delete.Parameters.Text("id", sessionId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long seq;
        using (NpgsqlCommand last = PostgresDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE session_id = @id;"))
        {
            last.Parameters.Text("id", sessionId);
            seq = (long)(await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (rows.Count > 0)
        {
            // One statement for the whole turn: the rows travel as arrays.
            using NpgsqlCommand insert = PostgresDatabase.Command(connection, transaction, """
                INSERT INTO messages (session_id, seq, role, json, text, search, run_id, created)
                SELECT @id, @first + n - 1, role, json, text, to_tsvector('simple', words), @run, @now
                FROM unnest(@roles, @jsons, @texts, @words) WITH ORDINALITY AS m (role, json, text, words, n);
                """);
            insert.Parameters.Text("id", sessionId).Long("first", seq + 1).Text("run", turn?.RunId).Long("now", now);
            insert.Parameters.AddWithValue("roles", rows.Select(r => r.Role).ToArray());
            insert.Parameters.AddWithValue("jsons", rows.Select(r => r.Json).ToArray());
            insert.Parameters.AddWithValue("texts", rows.Select(r => r.Text).ToArray());
            insert.Parameters.AddWithValue("words", rows.Select(r => r.Words).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            seq += rows.Count;
        }

        // Not cancellable: once the rows are written, the commit must not be abandoned half-way.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : seq;
    }

    public async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null,
            "SELECT seq, json, created, run_id FROM messages WHERE session_id = @id ORDER BY seq;");
        select.Parameters.Text("id", sessionId);
        var messages = new List<StoredMessage>();
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(new StoredMessage(reader.GetInt64(0), MessageJson.Deserialize(reader.GetString(1)), PostgresDatabase.FromMs(reader.GetInt64(2)), reader.TextOrNull(3)));
        }

        return messages;
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return PostgresSearch.Build(text) is { } query ? SelectAsync(query, limit, null, cancellationToken) : Task.FromResult<IReadOnlyList<SearchHit>>([]);
    }

    public Task<IReadOnlyList<SearchHit>> SearchAnyAsync(string text, int limit, string? excludeSessionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return PostgresSearch.Build(text, any: true) is { } query
            ? SelectAsync(query, limit, excludeSessionId, cancellationToken)
            : Task.FromResult<IReadOnlyList<SearchHit>>([]);
    }

    private async Task<IReadOnlyList<SearchHit>> SelectAsync(
        (string Query, IReadOnlyList<(string Word, bool Prefix)> Terms) query, int limit, string? excludeSessionId, CancellationToken cancellationToken)
    {
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, """
            SELECT session_id, seq, json, text, created FROM messages, to_tsquery('simple', @query) AS q
            WHERE search @@ q AND (@exclude::text IS NULL OR session_id <> @exclude)
            ORDER BY ts_rank(search, q) DESC, id LIMIT @limit;
            """);
        select.Parameters.Text("query", query.Query).Text("exclude", excludeSessionId).Int("limit", limit);
        var hits = new List<SearchHit>();
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new SearchHit(reader.GetString(0), reader.GetInt64(1), MessageJson.Deserialize(reader.GetString(2)), PostgresSearch.Snippet(reader.GetString(3), query.Terms))
            {
                Time = PostgresDatabase.FromMs(reader.GetInt64(4)),
            });
        }

        return hits;
    }
}
