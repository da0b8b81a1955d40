using Allos.Storage.Sqlite;
using Npgsql;

namespace Allos.Storage.Postgres;

/// <summary>Run marks, and recovering the runs a crash left running (only this host's processes can be checked).</summary>
internal sealed partial class PostgresSessionStore
{
    public async Task MarkRunAsync(string sessionId, string runId, RunMark status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(runId);
        long now = database.NowMs;
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand upsert = PostgresDatabase.Command(connection, null, """
            INSERT INTO runs (id, session_id, status, started, ended, host, pid, process_started)
            VALUES (@id, @session, @status, @now, @ended, @host, @pid, @pstart)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status,
                ended = excluded.ended,
                host = excluded.host,
                pid = excluded.pid,
                process_started = excluded.process_started;
            """);
        upsert.Parameters.Text("id", runId).Text("session", sessionId).Text("status", ToText(status)).Long("now", now)
            .Long("ended", status == RunMark.Running ? null : now).Text("host", ProcessIdentity.Host).Int("pid", ProcessIdentity.Id)
            .Long("pstart", ProcessIdentity.StartedMs);
        try
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new KeyNotFoundException($"There is no session '{sessionId}'; create it before marking its runs.", e);
        }
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using NpgsqlCommand select = PostgresDatabase.Command(connection, null, "SELECT id, session_id, status, started, ended FROM runs WHERE id = @id;");
        select.Parameters.Text("id", runId);
        using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        long? ended = reader.LongOrNull(4);
        return new RunRecord(reader.GetString(0), reader.GetString(1), FromText(reader.GetString(2)), PostgresDatabase.FromMs(reader.GetInt64(3)),
            ended is { } ms ? PostgresDatabase.FromMs(ms) : null);
    }

    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        using NpgsqlConnection connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var dead = new List<string>();
        using (NpgsqlCommand select = PostgresDatabase.Command(connection, null,
            "SELECT id, pid, process_started FROM runs WHERE status = 'running' AND host = @host AND pid IS NOT NULL;"))
        {
            // Runs owned by other hosts (other gateway instances) are left to them.
            select.Parameters.Text("host", ProcessIdentity.Host);
            using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ProcessIdentity.IsAlive(reader.GetInt32(1), reader.LongOrNull(2)))
                {
                    dead.Add(reader.GetString(0));
                }
            }
        }

        if (dead.Count == 0)
        {
            return 0;
        }

        using NpgsqlCommand mark = PostgresDatabase.Command(connection, null,
            "UPDATE runs SET status = 'incomplete', ended = @now WHERE id = ANY(@ids) AND status = 'running';");
        mark.Parameters.Long("now", database.NowMs);
        mark.Parameters.AddWithValue("ids", dead.ToArray());
        return await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
