namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>The tests sharing the one PostgreSQL server of the run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
