using Allos.Configuration;
using Allos.Storage.Redis;

namespace Allos.Tests.Configuration;

/// <summary>The <c>redis:</c> key of allos.yaml.</summary>
public sealed class RedisSettingsTests
{
    private const string Store = "store: postgres://allos@db:5432/allos\n";

    private static AllosOptions Load(string yaml, Func<string, string?>? environment = null) =>
        AllosConfiguration.Load(yaml, "allos.yaml", environment ?? (_ => null), "/base");

    [Fact]
    public void LoadYaml_RedisUrl_IsRead_FailingOpenByDefault()
    {
        RedisOptions redis = Load(Store + "redis: redis://cache:6380/2\n").Redis!;

        redis.Url.ShouldBe("redis://cache:6380/2");
        redis.OnFailure.ShouldBe(RedisFailureMode.FailOpen);
        Load(Store).Redis.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_RedisMapping_ReadsUrlAndOnFailure()
    {
        RedisOptions redis = Load(Store + "redis:\n  url: rediss://:secret@cache:6380\n  on_failure: fail_closed\n").Redis!;

        redis.Url.ShouldBe("rediss://:secret@cache:6380");
        redis.OnFailure.ShouldBe(RedisFailureMode.FailClosed);
    }

    [Fact]
    public void LoadYaml_RedisUrlVariable_OverridesTheFile()
    {
        RedisOptions redis = Load(Store + "redis: redis://cache:6379\n", name => name == RedisOptions.UrlVariable ? "redis://other:7000" : null).Redis!;

        redis.Url.ShouldBe("redis://other:7000");
    }

    [Theory]
    [InlineData("redis: http://cache:6379\n", "redis://[user:password@]host:port", 2)]
    [InlineData("redis:\n  url: redis://cache\n  on_failure: retry\n", "fail_open", 4)]
    [InlineData("redis:\n  url: redis://cache\n  pool: 3\n", "pool", 4)]
    [InlineData("redis: redis://cache:6379/zero\n", "database number", 2)]
    public void LoadYaml_BadRedis_IsAnErrorNamingTheLine(string yaml, string expected, int line)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load(Store + yaml));

        error.Message.ShouldContain(expected);
        error.Message.ShouldContain($"allos.yaml:{line}");
    }

    [Fact]
    public void LoadYaml_RedisWithoutAPostgresStore_IsAnError_AndNeverRepeatsThePassword()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load("redis: redis://:hunter2@cache:6379\n"));

        error.Message.ShouldContain("PostgreSQL store");
        error.Message.ShouldNotContain("hunter2");
        Load("redis: redis://cache:6379\n", name => name == "ALLOS_DATABASE_URL" ? "postgres://allos@db/allos" : null).Redis.ShouldNotBeNull();
    }
}
