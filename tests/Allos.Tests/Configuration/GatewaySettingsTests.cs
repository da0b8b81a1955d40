using Allos.Configuration;

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
    public void LoadYaml_NoGatewaySection_LeavesItNull() => Load("default_model: fast\n").Gateway.ShouldBeNull();

    [Theory]
    [InlineData("gateway:\n  prot: 80\n", 2, "unknown key 'prot' in gateway; did you mean 'port'?")]
    [InlineData("gateway:\n  port: 70000\n", 2, "gateway.port must be a port number (0 to 65535), not 70000.")]
    [InlineData("gateway:\n  port: many\n", 2, "port must be a whole number, not 'many'.")]
    [InlineData("gateway:\n  port: 1\n  otlp_endpoint: collector:4318\n", 3, "gateway.otlp_endpoint must be an http:// or https:// address")]
    [InlineData("gateway:\n  spend_log: maybe\n", 2, "spend_log")]
    public void LoadYaml_BadGatewaySection_ErrorGivesLineAndWhatToFix(string yaml, int line, string message)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load(yaml));

        error.Message.ShouldStartWith($"allos.yaml:{line}: ");
        error.Message.ShouldContain(message);
    }
}
