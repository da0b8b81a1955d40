using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Run marks: which runs of a session are running, completed or incomplete, and recovering the ones a crash left running.</summary>
internal sealed partial class SqliteSessionStore
{
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
