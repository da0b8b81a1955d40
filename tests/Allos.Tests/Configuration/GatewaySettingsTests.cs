using Allos.Configuration;
using Allos.Gateway.Server;
using Allos.Storage.Postgres;

namespace Allos.Tests.Configuration;

/// <summary>The <c>gateway:</c> section of allos.yaml.</summary>
public sealed class GatewaySettingsTests
{
    private static AllosOptions Load(string yaml) => AllosConfiguration.Load(yaml, "allos.yaml", _ => null, "/base");

    [Fact]
    public void LoadYaml_GatewaySection_MapsHostPortAndModels()
    {
        AllosOptions options = Load("gateway:\n  host: 0.0.0.0\n  port: 8080\n  models: [\"openai/*\", anthropic/claude-sonnet-4-5]\n");

        options.Gateway.ShouldNotBeNull();
        options.Gateway.Host.ShouldBe("0.0.0.0");
        options.Gateway.Port.ShouldBe(8080);
        options.Gateway.Models.ShouldBe(["openai/*", "anthropic/claude-sonnet-4-5"]);
    }

    [Fact]
    public void LoadYaml_MasterKey_IsRead_AndAbsentIsNull()
    {
        Load("gateway:\n  master_key: sk-from-yaml\n").Gateway!.MasterKey.ShouldBe("sk-from-yaml");
        Load("gateway:\n  port: 4000\n").Gateway!.MasterKey.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_MetricsSpendLogAndOtlp_AreRead_AndAbsentAreNull()
    {
        GatewaySettings set = Load("gateway:\n  metrics: false\n  spend_log: false\n  otlp_endpoint: http://collector:4318\n").Gateway!;
        set.Metrics.ShouldBe(false);
        set.SpendLog.ShouldBe(false);
        set.OtlpEndpoint.ShouldBe(new Uri("http://collector:4318"));

        GatewaySettings unset = Load("gateway:\n  port: 4000\n").Gateway!;
        unset.Metrics.ShouldBeNull();
        unset.SpendLog.ShouldBeNull();
        unset.OtlpEndpoint.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_InstanceHeartbeatAndTimeout_AreRead_AndAbsentAreNull()
    {
        GatewaySettings set = Load("gateway:\n  instance_heartbeat: 500ms\n  instance_timeout: 3\n").Gateway!;
        set.InstanceHeartbeat.ShouldBe(TimeSpan.FromMilliseconds(500));
        set.InstanceTimeout.ShouldBe(TimeSpan.FromSeconds(3));

        GatewaySettings unset = Load("gateway:\n  port: 4000\n").Gateway!;
        unset.InstanceHeartbeat.ShouldBeNull();
        unset.InstanceTimeout.ShouldBeNull();
    }

    [Fact]
    public void ConfigureStore_InstanceTimings_ReachThePostgresOptions_AndAbsentKeepTheDefaults()
    {
        var configured = new PostgresStoreOptions();
        GatewayCommandLine.ConfigureStore(configured, Load("gateway:\n  instance_heartbeat: 1s\n  instance_timeout: 3s\n").Gateway);
        configured.InstanceHeartbeat.ShouldBe(TimeSpan.FromSeconds(1));
        configured.InstanceTimeout.ShouldBe(TimeSpan.FromSeconds(3));

        var defaults = new PostgresStoreOptions();
        GatewayCommandLine.ConfigureStore(defaults, null);
        defaults.InstanceHeartbeat.ShouldBe(TimeSpan.FromSeconds(5));
        defaults.InstanceTimeout.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void LoadYaml_NoGatewaySection_LeavesItNull() => Load("default_model: fast\n").Gateway.ShouldBeNull();

    [Theory]
    [InlineData("gateway:\n  prot: 80\n", 2, "unknown key 'prot' in gateway; did you mean 'port'?")]
    [InlineData("gateway:\n  port: 70000\n", 2, "gateway.port must be a port number (0 to 65535), not 70000.")]
    [InlineData("gateway:\n  port: many\n", 2, "port must be a whole number, not 'many'.")]
    [InlineData("gateway:\n  port: 1\n  otlp_endpoint: collector:4318\n", 3, "gateway.otlp_endpoint must be an http:// or https:// address")]
    [InlineData("gateway:\n  spend_log: maybe\n", 2, "spend_log")]
    [InlineData("gateway:\n  instance_heartbeat: often\n", 2, "instance_heartbeat must be a duration such as 500ms")]
    [InlineData("gateway:\n  instance_timeout: 0\n", 2, "instance_timeout must be more than 0")]
    [InlineData("gateway:\n  instance_heartbeat: 2s\n  instance_timeout: 2s\n", 3, "gateway.instance_timeout (2s) must be longer than gateway.instance_heartbeat (2s)")]
    [InlineData("gateway:\n  port: 1\n  instance_timeout: 4s\n", 3, "gateway.instance_timeout (4s) must be longer than gateway.instance_heartbeat (5s by default)")]
    [InlineData("gateway:\n  instance_heartbeat: 1m\n", 2, "gateway.instance_timeout (30s by default) must be longer than gateway.instance_heartbeat (60s)")]
    public void LoadYaml_BadGatewaySection_ErrorGivesLineAndWhatToFix(string yaml, int line, string message)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load(yaml));

        error.Message.ShouldStartWith($"allos.yaml:{line}: ");
        error.Message.ShouldContain(message);
    }
}
