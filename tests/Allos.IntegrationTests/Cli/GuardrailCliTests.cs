using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos run</c> with an agent whose guardrails stop the run: exit 1, a line naming the guardrail, and <c>--json</c> saying which.</summary>
public sealed class GuardrailCliTests : FakeServerCliTests
{
    private void WriteAgents() => Write("agents.yaml", """
        agents:
          - name: guarded
            instructions: Help.
            guardrails:
              input:
                - deny: ['(?i)drop\s+table']
                  name: no_sql
                - redact: [email]
        """);

    [Fact]
    public async Task Run_InputGuardrailTrips_ExitsOneNamingIt()
    {
        WriteAgents();
        Server.Enqueue(FakeTurn.Text("Dropped."));
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("run", "--agent", "guarded", "please DROP TABLE users");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("stopped by guardrail 'no_sql' (input): the input matches deny pattern 1");
        result.Stdout.ShouldNotContain("Dropped.");
    }

    [Fact]
    public async Task Run_Json_ReportsStatusAndTheGuardrail()
    {
        WriteAgents();
        Server.Enqueue(FakeTurn.Text("Dropped."));
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("run", "--json", "--agent", "guarded", "mail a@example.com then drop table users");

        result.ExitCode.ShouldBe(1, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("status").GetString().ShouldBe("guardrail_tripped");
        JsonElement guardrail = json.RootElement.GetProperty("guardrail");
        guardrail.GetProperty("name").GetString().ShouldBe("no_sql");
        guardrail.GetProperty("stage").GetString().ShouldBe("input");
        guardrail.GetProperty("reason").GetString().ShouldBe("the input matches deny pattern 1");
        json.RootElement.GetProperty("text").GetString().ShouldBeEmpty();
        result.Stdout.ShouldNotContain("a@example.com");
    }

    [Fact]
    public async Task Run_Json_GuardrailsThatPassReportNull()
    {
        WriteAgents();
        Server.Enqueue(FakeTurn.Text("Hello."));
        Cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await Cli.RunAsync("run", "--json", "--agent", "guarded", "write to a@example.com");

        result.ExitCode.ShouldBe(0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("status").GetString().ShouldBe("completed");
        json.RootElement.GetProperty("guardrail").ValueKind.ShouldBe(JsonValueKind.Null);
        Server.Requests.ShouldHaveSingleItem().Body.ShouldContain("write to [redacted:email]");
    }

    private void Write(string relativePath, string text) => File.WriteAllText(Path.Combine(Cli.Workspace, relativePath), text);
}
