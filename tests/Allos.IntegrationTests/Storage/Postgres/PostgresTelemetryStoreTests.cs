using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The telemetry store contract against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTelemetryStoreTests(PostgresServer server) : TelemetryStoreContractTests(new PostgresHarness(server));
