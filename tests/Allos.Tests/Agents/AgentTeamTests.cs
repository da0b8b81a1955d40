using Allos.Agents;
using Allos.Tools;

namespace Allos.Tests.Agents;

public sealed class AgentTeamTests
{
    [Fact]
    public void LoadYaml_ListForm_ReadsEveryField()
    {
        const string yaml = """
            entry: triage
            agents:
              - name: triage
                description: Routes customers.
                instructions: |
                  Route the customer.
                  Be brief.
                model: openai/gpt-4o-mini
                handoffs: [sales, support]
              - name: support
                model: anthropic/claude-sonnet-4-5
                tools: [files, search]
                autonomy: autonomous
                max_iterations: 7
                temperature: 0.2
                max_output_tokens: 900
                tool_choice: required
                permissions: { write_file: deny, shell: ask }
              - name: sales
                tools: read_file, grep
            """;

        AgentTeam team = AgentTeam.LoadYaml(yaml);

        team.Entry.ShouldBe("triage");
        team.Agents.Select(a => a.Name).ShouldBe(["triage", "support", "sales"]);
        AgentDefinition triage = team.Agents[0];
        triage.Instructions.ShouldBe("Route the customer.\nBe brief.\n");
        triage.Handoffs.ShouldBe(["sales", "support"]);
        AgentDefinition support = team.Agents[1];
        support.Tools.ShouldBe(["files", "search"]);
        support.Autonomy.ShouldBe(AutonomyLevel.Autonomous);
        support.MaxIterations.ShouldBe(7);
        support.Temperature.ShouldBe(0.2f);
        support.MaxOutputTokens.ShouldBe(900);
        support.ToolChoice.ShouldBe("required");
        support.ToolPermissions["write_file"].ShouldBe(ToolPermission.Deny);
        support.ToolPermissions["shell"].ShouldBe(ToolPermission.Ask);
        team.Agents[2].Tools.ShouldBe(["read_file", "grep"]);
    }

    [Fact]
    public void LoadYaml_MapForm_NamesAgentsByKeyAndDefaultsEntryToTheFirst()
    {
        AgentTeam team = AgentTeam.LoadYaml("""
            agents:
              coder:
                model: ollama/qwen3
              reviewer:
                model: gemini/gemini-2.5-flash
            """);

        team.Entry.ShouldBe("coder");
        team.Agents.Select(a => a.Name).ShouldBe(["coder", "reviewer"]);
    }

    [Theory]
    [InlineData("agents: [ { name: a, autonomy: reckless } ]", "autonomy must be manual, supervised or autonomous")]
    [InlineData("agents: [ { model: x } ]", "has no 'name'")]
    [InlineData("agents: 3", "'agents' must be a list")]
    [InlineData("agents: [ { name: a, max_iterations: many } ]", "max_iterations must be a whole number")]
    [InlineData("agents: [ { name: a, permissions: { shell: maybe } } ]", "allow, ask or deny")]
    [InlineData("agents: [ { name: a\n", "agents.yaml:")]
    [InlineData("agents: [ { name: a, handofs: [b] } ]", "agents.yaml:1: unknown key 'handofs' in an agent; did you mean 'handoffs'?")]
    [InlineData("entry: a\nagents:\n  a:\n    autonmy: manual\n", "agents.yaml:4: unknown key 'autonmy' in agent 'a'; did you mean 'autonomy'?")]
    [InlineData("entri: a\nagents: [ { name: a } ]\n", "agents.yaml:1: unknown key 'entri' in agents.yaml; did you mean 'entry'?")]
    [InlineData("agents: [ { name: a, tools: { x: 1 } } ]", "agents.yaml:1: tools must be a list of names")]
    [InlineData("agents:\n  - name: a\n  - name: a\n    name: b\n", "agents.yaml:4: 'name' appears twice")]
    public void LoadYaml_Malformed_SaysWhatAndWhere(string yaml, string expected)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => AgentTeam.LoadYaml(yaml));

        error.Message.ShouldContain(expected);
        error.Message.ShouldStartWith("agents.yaml:");
    }

    [Fact]
    public void CreateRunner_UnknownHandoffTarget_IsAConfigurationError()
    {
        AgentTeam team = AgentTeam.LoadYaml("agents: [ { name: a, model: openai/x, handoffs: [ghost] } ]");

        Should.Throw<ConfigurationException>(() => team.CreateRunner()).Message.ShouldContain("ghost");
    }

    [Fact]
    public void CreateRunner_UnknownTool_ListsTheAvailableTools()
    {
        AgentTeam team = AgentTeam.LoadYaml("agents: [ { name: a, model: openai/x, tools: [teleport] } ]");
        var registry = new ToolRegistry().Add(Microsoft.Extensions.AI.AIFunctionFactory.Create(() => 1, "one"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => team.CreateRunner(new AgentRunnerOptions { Tools = registry }));

        error.Message.ShouldContain("teleport");
        error.Message.ShouldContain("one");
    }

    [Fact]
    public void LoadYaml_PromptNamesAnMcpPrompt_IsAnErrorSayingToRunItAsTheTask()
    {
        const string yaml = """
            agents:
              - name: helper
                prompt: mcp__everything__simple-prompt
            """;

        ConfigurationException error = Should.Throw<ConfigurationException>(() => AgentTeam.LoadYaml(yaml, prompts: () => throw new InvalidOperationException("prompt files are not read for an MCP prompt")));

        error.Message.ShouldContain("agents.yaml:3");
        error.Message.ShouldContain("uses the MCP prompt 'mcp__everything__simple-prompt'");
        error.Message.ShouldContain("`allos run --prompt mcp__everything__simple-prompt`");
    }
}
