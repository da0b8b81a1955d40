using Microsoft.Data.Sqlite;

namespace Allos.Storage.Sqlite;

/// <summary>Writes one telemetry batch in one transaction on the telemetry connection.</summary>
internal sealed class SqliteTelemetryBatch(SqliteDatabase database)
{
    public async Task WriteAsync(List<object> batch)
    {
        using SqliteConnection connection = await database.OpenTelemetryConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        using SqliteTransaction transaction = connection.BeginTransaction();
        using var statements = new TelemetryStatements(connection, transaction);
        foreach (object item in batch)
        {
            switch (item)
            {
                case ModelCallRecord call:
                    await statements.InsertAsync(call).ConfigureAwait(false);
                    break;
                case ToolExecutionRecord execution:
                    await statements.InsertAsync(execution).ConfigureAwait(false);
                    break;
                case TelemetryWriter.StepRow step:
                    await statements.InsertAsync(step).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected telemetry item {item.GetType().Name}.");
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }
}
