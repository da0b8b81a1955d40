using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The key store contract (KeyOwnerStore) against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKeyOwnerStoreTests(PostgresServer server) : KeyOwnerStoreContractTests(new PostgresHarness(server));
