namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos serve</c> as a real process: it prints the bound URL, answers OpenAI requests and stops on Ctrl-C.</summary>
public sealed class ServeCommandTests : FakeServerCliTests
{
    [Fact]
    public async Task Serve_BadGatewaySection_Exits3WithFileAndLine()
    {
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), "gateway:\n  port: lots\n");

        CliResult result = await Cli.RunAsync("serve");

        result.ExitCode.ShouldBe(ExitCodes3, result.ToString());
        result.Stderr.ShouldContain("allos.yaml:2: ");
        result.Stderr.ShouldContain("port must be a whole number, not 'lots'.");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_MissingConfigFile_Exits3SayingSo()
    {
        CliResult result = await Cli.RunAsync("serve", "--config", "nope.yaml");

        result.ExitCode.ShouldBe(ExitCodes3, result.ToString());
        result.Stderr.ShouldContain("nope.yaml' does not exist. Pass an existing allos.yaml to --config.");
    }

    private const int ExitCodes3 = 3;
}
