using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Full-text search over every session's messages.</summary>
internal sealed partial class SqliteSessionStore
{
    public Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return FtsQuery.Build(text) is { } match ? SelectAsync(match, limit, null, cancellationToken) : Task.FromResult<IReadOnlyList<SearchHit>>([]);
    }

    public Task<IReadOnlyList<SearchHit>> SearchAnyAsync(string text, int limit, string? excludeSessionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return FtsQuery.Build(text, any: true) is { } match
            ? SelectAsync(match, limit, excludeSessionId, cancellationToken)
            : Task.FromResult<IReadOnlyList<SearchHit>>([]);
    }

    private async Task<IReadOnlyList<SearchHit>> SelectAsync(string match, int limit, string? excludeSessionId, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = await database.OpenSessionConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand select = SqliteDatabase.Command(connection, null, """
            SELECT m.session_id, m.seq, m.json, snippet(messages_fts, 0, '[', ']', '…', 16), m.created
            FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
            WHERE messages_fts MATCH $match AND ($exclude IS NULL OR m.session_id <> $exclude)
            ORDER BY rank LIMIT $limit;
            """);
        select.Parameters.AddWithValue("$match", match);
        select.Parameters.AddWithValue("$exclude", (object?)excludeSessionId ?? DBNull.Value);
        select.Parameters.AddWithValue("$limit", limit);
        var hits = new List<SearchHit>();
        using SqliteDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new SearchHit(reader.GetString(0), reader.GetInt64(1), MessageJson.Deserialize(reader.GetString(2)), reader.GetString(3))
            {
                Time = SqliteDatabase.FromMs(reader.GetInt64(4)),
            });
        }

        return hits;
    }
}
