using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The key store contract (KeyStore) against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKeyStoreTests(PostgresServer server) : KeyStoreContractTests(new PostgresHarness(server));
