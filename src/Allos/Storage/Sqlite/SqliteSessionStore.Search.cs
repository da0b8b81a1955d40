using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Full-text search over every session's messages.</summary>
internal sealed partial class SqliteSessionStore
{
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
}
