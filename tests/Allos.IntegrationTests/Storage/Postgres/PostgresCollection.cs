namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The tests sharing the one PostgreSQL server of the run (and the one Redis server, for those that put it in front).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<Redis.RedisServer>
{
    public const string Name = "PostgreSQL server";
}
