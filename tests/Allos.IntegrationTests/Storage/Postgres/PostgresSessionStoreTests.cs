using Allos.IntegrationTests.Storage.Contract;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The session store contract against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSessionStoreTests(PostgresServer server) : SessionStoreContractTests(new PostgresHarness(server));
