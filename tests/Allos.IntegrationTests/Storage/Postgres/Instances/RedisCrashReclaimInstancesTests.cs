using Allos.IntegrationTests.Storage.Redis;

namespace Allos.IntegrationTests.Storage.Postgres.Instances;

/// <summary><see cref="CrashReclaimInstancesTests"/> again with Redis in front: the crashed process's reservations live in Redis, and its key there expires.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisCrashReclaimInstancesTests(PostgresServer server, RedisServer redis) : CrashReclaimInstancesTests(server)
{
    protected override RedisServer? Redis => redis;
}
