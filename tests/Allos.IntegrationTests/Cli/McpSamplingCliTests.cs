using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// MCP sampling through the CLI: server-everything's <c>trigger-sampling-request</c> tool asks the client for a
/// completion, which goes through the Router to the fake provider as the next model call, and its answer comes back in
/// the tool result the model reads after it.
/// </summary>
public sealed class McpSamplingCliTests : FakeServerCliTests
{
    private const string Trigger = "mcp__everything__trigger-sampling-request";

    private static FakeTurn CallTrigger() =>
        FakeTurn.ToolCalls(new FakeToolCall("call_1", Trigger, """{"prompt":"Name a colour","maxTokens":42}""")).WithUsage(20, 5);

    [Fact]
    public async Task Run_SamplingAllowed_TheRequestIsTheSecondModelCallAndItsAnswerReachesTheThird()
    {
        WriteConfig("sampling: allow");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("Teal.").WithUsage(12, 3), FakeTurn.Text("The server heard teal."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Ask the server to sample");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(3, result.ToString());
        Server.Requests[0].Body.ShouldContain(Trigger, customMessage: "the tool exists only when the client offers sampling");
        string sampled = Server.Requests[1].Body;
        sampled.ShouldContain("\"role\":\"system\",\"content\":\"You are a helpful test server.\"", customMessage: "the server's system prompt");
        sampled.ShouldContain("Resource trigger-sampling-request context: Name a colour", customMessage: "the server's message");
        sampled.ShouldContain("\"max_completion_tokens\":42", customMessage: "the server's maxTokens");
        sampled.ShouldContain("\"temperature\":0.7");
        sampled.ShouldNotContain(Trigger, customMessage: "the agent's tools are not offered to a sampling request");
        sampled.ShouldNotContain("Ask the server to sample", customMessage: "only includeContext none: the agent's conversation is not sent");
        string third = Server.Requests[2].Body;
        third.ShouldContain("LLM sampling result");
        third.ShouldContain("Teal.", customMessage: "the sampled text reaches the model in the tool result");
        third.ShouldContain("endTurn");

        // Recorded like any call, in the run's session, as the sampling of server everything.
        Query("SELECT group_concat(coalesce(prompt_name, '-'), ',') FROM (SELECT prompt_name FROM model_calls ORDER BY rowid)").ShouldBe("-,mcp__everything__sampling,-");
        Query("SELECT count(DISTINCT coalesce(session_id, '-')) || '|' || count(*) FROM model_calls").ShouldBe("1|3", "the sampling call carries the run's session");
    }

    [Fact]
    public async Task Run_SamplingAsksWithNoTerminal_IsRefusedAndTheModelReadsHowToAllowIt()
    {
        WriteConfig("");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("It was refused."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Ask the server to sample");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(2, "the sampling request never reached the provider");
        string second = Server.Requests[1].Body;
        second.ShouldContain("Sampling was refused: MCP server \\u0027everything\\u0027 was not allowed a model completion");
        second.ShouldContain("set sampling: allow for MCP server \\u0027everything\\u0027 in allos.yaml");
    }

    [Fact]
    public async Task Run_AutoApproveWithSamplingAsk_AllowsIt()
    {
        WriteConfig("");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("Teal."), FakeTurn.Text("Done."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-y", "--tools", "mcp__everything", "Ask the server to sample");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(3, "autonomous runs allow an ask server's sampling");
        Server.Requests[2].Body.ShouldContain("Teal.");
    }

    [Fact]
    public async Task Chat_SamplingAsk_ShowsTheRequestAndAYesSendsIt()
    {
        WriteConfig("");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("Teal."), FakeTurn.Text("Done."));

        CliResult result = await Cli.RunWithInputAsync("Ask the server to sample\ny\n", "chat", "--model", "openai/gpt-4o-mini", "--tools", "mcp__everything");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("mcp__everything__sampling wants to run (MCP server 'everything' asks the model for a completion");
        result.Stderr.ShouldContain("model: openai/gpt-4o-mini");
        result.Stderr.ShouldContain("max_tokens: 42");
        result.Stderr.ShouldContain("system: You are a helpful test server.");
        result.Stderr.ShouldContain("messages: user: Resource trigger-sampling-request context: Name a colour");
        Server.Requests.Count.ShouldBe(3, result.ToString());
        Server.Requests[2].Body.ShouldContain("Teal.");
    }

    [Fact]
    public async Task Chat_SamplingAskDenied_TheModelReadsThatTheUserRefused()
    {
        WriteConfig("");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("Refused, then."));

        CliResult result = await Cli.RunWithInputAsync("Ask the server to sample\nn\n", "chat", "--model", "openai/gpt-4o-mini", "--tools", "mcp__everything");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(2, result.ToString());
        Server.Requests[1].Body.ShouldContain("Sampling was refused: the user denied MCP server \\u0027everything\\u0027 a model completion.");
    }

    [Fact]
    public async Task Run_SamplingDeny_TheCapabilityIsNotOfferedSoTheServerHasNoSamplingTool()
    {
        WriteConfig("sampling: deny");
        Server.Enqueue(FakeTurn.Text("No sampling here."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[0].Body.ShouldContain("mcp__everything__echo");
        Server.Requests[0].Body.ShouldNotContain(Trigger, customMessage: "server-everything registers its sampling tool only for a client that offers sampling");
    }

    [Fact]
    public async Task Run_SamplingModelCallFails_TheModelReadsTheFailureNamingTheServer()
    {
        WriteConfig("sampling: allow");
        Server.Enqueue(CallTrigger(), FakeTurn.ProviderError(400, "max_tokens is too large for this model"), FakeTurn.Text("It failed."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Ask the server to sample");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(3, result.ToString());
        string third = Server.Requests[2].Body;
        third.ShouldContain("The model call for the sampling request of MCP server \\u0027everything\\u0027 failed");
        third.ShouldContain("max_tokens is too large for this model", customMessage: "with the provider's reason");
    }

    [Fact]
    public async Task Run_SamplingSpendsTheBudget_TheNextCallIsRefusedAndReported()
    {
        WriteConfig("sampling: allow", "router:\n  budgets:\n    - { scope: global, period: day, limit: 0.02 }\n");
        Server.Enqueue(CallTrigger(), FakeTurn.Text("Teal.").WithUsage(10, 100_000), FakeTurn.Text("never sent"));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Ask the server to sample");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(2, "the sampling call went through; the agent's next call was refused by the budget");
        result.Stderr.ShouldContain("budget", Case.Insensitive);
        result.Stderr.ShouldContain("global");
        Query("SELECT prompt_name FROM model_calls WHERE output_tokens = 100000").ShouldBe("mcp__everything__sampling", "the spend was the sampling call's");
    }

    [Fact]
    public async Task Run_UnknownSamplingModel_IsAConfigurationErrorWithTheLine()
    {
        WriteConfig("sampling_model: nosuch/model");

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Hello");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("allos.yaml:2: sampling_model of MCP server 'everything'");
        Server.Requests.ShouldBeEmpty();
    }

    private void WriteConfig(string sampling, string extra = "") => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $$"""
        mcp_servers:
          everything: { command: node, args: ["{{McpPeers.NpmServer("server-everything")}}", stdio], approval: allow{{(sampling.Length > 0 ? ", " + sampling : "")}} }
        {{extra}}
        """);

    private string? Query(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Cli.Home, "allos.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }
}
