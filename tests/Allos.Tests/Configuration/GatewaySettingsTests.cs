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
    public void LoadYaml_NoGatewaySection_LeavesItNull() => Load("default_model: fast\n").Gateway.ShouldBeNull();

    [Theory]
    [InlineData("gateway:\n  prot: 80\n", 2, "unknown key 'prot' in gateway; did you mean 'port'?")]
    [InlineData("gateway:\n  port: 70000\n", 2, "gateway.port must be a port number (0 to 65535), not 70000.")]
    [InlineData("gateway:\n  port: many\n", 2, "port must be a whole number, not 'many'.")]
    public void LoadYaml_BadGatewaySection_ErrorGivesLineAndWhatToFix(string yaml, int line, string message)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load(yaml));

        error.Message.ShouldStartWith($"allos.yaml:{line}: ");
        error.Message.ShouldContain(message);
    }
}
