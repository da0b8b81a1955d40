using Allos.IntegrationTests.Storage.Postgres;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>Every case of <see cref="OwnerEnforcementTests"/> again, with the keys in PostgreSQL and the limits shared through it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOwnerEnforcementTests(PostgresServer server) : OwnerEnforcementTests
{
    protected override async Task<KeyedGateway> StartGatewayAsync() => await KeyedGateway.StartAsync(postgres: await server.CreateDatabaseAsync("limits"));
}
