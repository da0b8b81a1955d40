using Allos.IntegrationTests.Storage.Postgres;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>Every case of <see cref="KeyEnforcementTests"/> again, with the keys in PostgreSQL and the limits shared through it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKeyEnforcementTests(PostgresServer server) : KeyEnforcementTests
{
    protected override async Task<KeyedGateway> StartGatewayAsync() => await KeyedGateway.StartAsync(postgres: await server.CreateDatabaseAsync("limits"));
}
