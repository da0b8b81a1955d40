namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos providers</c>, <c>models</c>, <c>tools</c> and <c>--version</c> as a real process.</summary>
public sealed class ListingCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("providers")]
    [InlineData("list-providers")]
    public async Task Providers_ShowWhichAreConfiguredAndWhereTheKeyComesFrom(string command)
    {
        _cli.Environment["OPENAI_API_KEY"] = "sk-listing-secret";
        _cli.Environment["GROQ_BASE_URL"] = "http://127.0.0.1:9/v1";

        CliResult result = await _cli.RunAsync(command);

        result.ExitCode.ShouldBe(0, result.ToString());
        string openai = Row(result.Stdout, "openai ");
        openai.ShouldContain("yes");
        openai.ShouldContain("from OPENAI_API_KEY");
        Row(result.Stdout, "anthropic").ShouldContain("missing: set ANTHROPIC_API_KEY");
        Row(result.Stdout, "ollama").ShouldContain("not needed");
        Row(result.Stdout, "groq").ShouldContain("http://127.0.0.1:9/v1 (from GROQ_BASE_URL)");
        result.Stdout.ShouldNotContain("sk-listing-secret");
    }

    [Fact]
    public async Task Models_Filter_ListsMatchingModelsWithPrices()
    {
        CliResult result = await _cli.RunAsync("models", "gpt-4o-mini");

        result.ExitCode.ShouldBe(0, result.ToString());
        string row = Row(result.Stdout, "openai/gpt-4o-mini");
        row.ShouldContain("128,000");
        row.ShouldContain("0.15");
        row.ShouldContain("0.6");
        result.Stdout.ShouldNotContain("claude");
    }

    [Fact]
    public async Task Models_NoMatch_SaysSoAndFails()
    {
        CliResult result = await _cli.RunAsync("models", "no-such-model-anywhere");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("No model in the catalog matches");
    }

    [Theory]
    [InlineData("tools")]
    [InlineData("list-tools")]
    public async Task Tools_ShowRiskAndPermission(string command)
    {
        CliResult result = await _cli.RunAsync(command);

        result.ExitCode.ShouldBe(0, result.ToString());
        Row(result.Stdout, "read_file").ShouldContain("allow");
        Row(result.Stdout, "write_file").ShouldContain("ask");
        Row(result.Stdout, "shell").ShouldContain("executes");
        Row(result.Stdout, "web_fetch").ShouldContain("network");
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        CliResult result = await _cli.RunAsync("--version");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldStartWith("0.1.0");
    }

    private static string Row(string table, string start) =>
        table.Split('\n').FirstOrDefault(line => line.TrimStart('│', ' ').StartsWith(start, StringComparison.Ordinal))
        ?? throw new ShouldAssertException($"No row starting with '{start}' in:\n{table}");
}
