using Allos.IntegrationTests.Storage.Postgres;
using Allos.IntegrationTests.Storage.Redis;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>Every case of <see cref="OwnerEnforcementTests"/> again, with the keys in PostgreSQL and Redis counting their limits in front of it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisOwnerEnforcementTests(PostgresServer server, RedisServer redis) : OwnerEnforcementTests
{
    protected override async Task<KeyedGateway> StartGatewayAsync() =>
        await KeyedGateway.StartAsync(postgres: await server.CreateDatabaseAsync("redis_limits"), redis: redis.Url);
}
