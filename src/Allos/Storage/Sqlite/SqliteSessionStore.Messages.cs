using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Allos.Storage.Sqlite;

/// <summary>A session's messages: appending, replacing and reading them.</summary>
internal sealed partial class SqliteSessionStore
{
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
}
