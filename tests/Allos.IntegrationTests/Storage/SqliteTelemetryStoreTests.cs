using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage;

/// <summary>The telemetry store contract against a real SQLite file.</summary>
public sealed class SqliteTelemetryStoreTests() : TelemetryStoreContractTests(new SqliteHarness());
