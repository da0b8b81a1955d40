using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos stats</c> as a real process, after runs against the fake provider server recorded their calls.</summary>
public sealed class StatsCommandTests : IAsyncLifetime
{
    // Catalog prices in USD per million tokens: gpt-4o-mini 0.15 in / 0.60 out, claude-sonnet-4-5 3 in / 15 out.
    private const decimal MiniCost = ((180 * 0.15m) + (31 * 0.60m)) / 1_000_000m;
    private const decimal SonnetCost = ((200 * 3m) + (40 * 15m)) / 1_000_000m;

    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _cli.UseFakeServer(_server, "openai").UseFakeServer(_server, "anthropic");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task Stats_ByModel_SumsTokensAndCostOfEveryCall()
    {
        await SeedAsync();

        CliResult result = await Allos("stats", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement json = result.Json();
        json.GetProperty("by").GetString().ShouldBe("model");
        List<JsonElement> rows = [.. json.GetProperty("rows").EnumerateArray()];
        rows.Select(row => row.GetProperty("key").GetString()).ShouldBe(["anthropic/claude-sonnet-4-5", "openai/gpt-4o-mini"], "largest cost first");
        AssertRow(rows[0], calls: 1, input: 200, output: 40, SonnetCost);
        AssertRow(rows[1], calls: 3, input: 180, output: 31, MiniCost);
        AssertRow(json.GetProperty("total"), calls: 4, input: 380, output: 71, SonnetCost + MiniCost);
    }

    [Fact]
    public async Task Stats_AFailedCall_CountsAsAFailureOfTheModelAskedNotAsUnknownCost()
    {
        _server.Enqueue(FakeTurn.ProviderError(400, "Bad request: the prompt is invalid.", "invalid_request_error"));
        (await Allos("run", "-m", "openai/gpt-4o-mini", "Hello")).ExitCode.ShouldBe(1);
        _server.Enqueue(FakeTurn.Text("Fine.").WithUsage(10, 2));
        (await Allos("run", "-m", "openai/gpt-4o-mini", "Hello again")).ExitCode.ShouldBe(0);

        JsonElement json = (await Allos("stats", "--json")).Json();

        JsonElement row = json.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("key").GetString().ShouldBe("openai/gpt-4o-mini", "the failure is the model's, not a phantom router/… row");
        row.GetProperty("calls").GetInt64().ShouldBe(2);
        row.GetProperty("failed_calls").GetInt64().ShouldBe(1);
        row.GetProperty("unknown_cost_calls").GetInt64().ShouldBe(0, "a failed call is a failure, not a call of unknown price");
        row.GetProperty("cost_usd").GetDecimal().ShouldBe(((10 * 0.15m) + (2 * 0.60m)) / 1_000_000m);
        (await Allos("stats")).Stdout.ShouldContain("failed");
    }

    [Fact]
    public async Task Stats_ByProviderAndDay_GroupTheSameCalls()
    {
        await SeedAsync();

        JsonElement providers = (await Allos("stats", "--by", "provider", "--json")).Json();
        List<JsonElement> rows = [.. providers.GetProperty("rows").EnumerateArray()];
        rows.Select(row => row.GetProperty("key").GetString()).ShouldBe(["anthropic", "openai"]);
        AssertRow(rows[0], calls: 1, input: 200, output: 40, SonnetCost);
        AssertRow(rows[1], calls: 3, input: 180, output: 31, MiniCost);

        JsonElement days = (await Allos("stats", "--by", "day", "--since", "7d", "--json")).Json();
        JsonElement day = days.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        day.GetProperty("key").GetString().ShouldBe(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        AssertRow(day, calls: 4, input: 380, output: 71, SonnetCost + MiniCost);
    }

    [Fact]
    public async Task Stats_Redirected_PrintsAPlainTableWithTheTotal()
    {
        await SeedAsync();

        CliResult result = await Allos("stats");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldNotContain("\u001b[", customMessage: "no colours when redirected");
        string mini = result.Stdout.Split('\n').Where(line => line.Contains("openai/gpt-4o-mini", StringComparison.Ordinal)).ShouldHaveSingleItem();
        mini.ShouldContain("180");
        mini.ShouldContain("31");
        mini.ShouldContain("0.000046", customMessage: "two significant digits under a cent; --json has the exact figure");
        string total = result.Stdout.Split('\n').Where(line => line.Contains("total", StringComparison.Ordinal) && line.Contains("380", StringComparison.Ordinal)).ShouldHaveSingleItem();
        total.ShouldContain("0.0012");
    }

    [Fact]
    public async Task Stats_ModelWithoutAPrice_ReportsTheCostAsUnknownNotZero()
    {
        _server.Enqueue(FakeTurn.Text("Hi.").WithUsage(10, 2));
        (await Allos("run", "-m", "openai/my-fine-tune", "--json", "Say hi")).ExitCode.ShouldBe(0);

        JsonElement json = (await Allos("stats", "--json")).Json();

        JsonElement row = json.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("key").GetString().ShouldBe("openai/my-fine-tune");
        row.GetProperty("input_tokens").GetInt64().ShouldBe(10);
        row.GetProperty("cost_usd").ValueKind.ShouldBe(JsonValueKind.Null);
        row.GetProperty("unknown_cost_calls").GetInt64().ShouldBe(1);
        CliResult text = await Allos("stats");
        text.Stdout.Split('\n').Where(line => line.Contains("openai/my-fine-tune", StringComparison.Ordinal)).ShouldHaveSingleItem().ShouldContain("?");
    }

    [Fact]
    public async Task Stats_SinceAFutureDate_HasNoRows()
    {
        await SeedAsync();

        CliResult result = await Allos("stats", "--since", "2099-01-01", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("rows").GetArrayLength().ShouldBe(0);
        result.Json().GetProperty("since").GetString().ShouldStartWith("2099-01-01T00:00:00");
        CliResult text = await Allos("stats", "--since", "2099-01-01");
        text.Stdout.ShouldBeEmpty();
        text.Stderr.ShouldContain("No model calls since 2099-01-01");
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--by", "week")]
    public async Task Stats_BadFlag_IsAUsageError(string flag, string value)
    {
        CliResult result = await Allos("stats", flag, value);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(value);
        result.Stdout.ShouldBeEmpty();
    }

    private static void AssertRow(JsonElement row, long calls, long input, long output, decimal cost)
    {
        row.GetProperty("calls").GetInt64().ShouldBe(calls);
        row.GetProperty("input_tokens").GetInt64().ShouldBe(input);
        row.GetProperty("output_tokens").GetInt64().ShouldBe(output);
        row.GetProperty("cost_usd").GetDecimal().ShouldBe(cost);
        row.GetProperty("unknown_cost_calls").GetInt64().ShouldBe(0);
    }

    /// <summary>Three runs, four model calls: two runs on gpt-4o-mini (one with a tool call), one on claude-sonnet-4-5.</summary>
    private async Task SeedAsync()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "list_directory", """{"path":"."}""")).WithUsage(30, 5),
            FakeTurn.Text("Empty.").WithUsage(50, 6));
        (await Allos("run", "-m", "openai/gpt-4o-mini", "--json", "What is here?")).ExitCode.ShouldBe(0);

        _server.Enqueue(FakeTurn.Text("Yes.").WithUsage(100, 20));
        (await Allos("run", "-m", "openai/gpt-4o-mini", "--json", "Is it?")).ExitCode.ShouldBe(0);

        _server.Enqueue(FakeTurn.Text("Done.").WithUsage(200, 40));
        CliResult last = await Allos("run", "-m", "anthropic/claude-sonnet-4-5", "--json", "Do it");
        last.ExitCode.ShouldBe(0, last.ToString());
    }

    private Task<CliResult> Allos(params string[] args) => _cli.RunAsync(args);
}
