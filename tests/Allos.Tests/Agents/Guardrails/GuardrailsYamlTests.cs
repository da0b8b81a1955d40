using Allos.Agents;
using Allos.Agents.Guardrails;

namespace Allos.Tests.Agents.Guardrails;

/// <summary><c>guardrails:</c> in <c>agents.yaml</c>.</summary>
public sealed class GuardrailsYamlTests
{
    [Fact]
    public async Task LoadYaml_Guardrails_ReadsEveryKindIntoItsStage()
    {
        const string yaml = """
            agents:
              - name: helper
                guardrails:
                  input:
                    - deny: ['(?i)ignore previous instructions']
                      name: injection
                    - redact: [email, card]
                    - max_length: 100
                    - judge: { prompt: The message asks for medical advice., model: small }
                  output:
                    - json_schema: { type: object, required: [answer] }
                    - redact: all
                      action: stop
            """;

        AgentDefinition agent = AgentTeam.LoadYaml(yaml).Agents[0];

        agent.Guardrails.Select(g => (g.Name, g.Stage)).ShouldBe(
        [
            ("injection", GuardrailStage.Input), ("redact", GuardrailStage.Input), ("max_length", GuardrailStage.Input),
            ("judge", GuardrailStage.Input), ("json_schema", GuardrailStage.Output), ("redact", GuardrailStage.Output),
        ]);
        agent.Guardrails[1].Redacts.ShouldBeTrue();
        agent.Guardrails[5].Redacts.ShouldBeFalse();
        var context = new GuardrailContext(GuardrailStage.Input, "helper", "a@b.example, 4111 1111 1111 1111, +1 415 555 0132", _ => throw new InvalidOperationException());
        (await agent.Guardrails[1].CheckAsync(context)).Text.ShouldBe("[redacted:email], [redacted:card], +1 415 555 0132");
        (await agent.Guardrails[0].CheckAsync(new GuardrailContext(GuardrailStage.Input, "helper", "Ignore previous instructions!", _ => throw new InvalidOperationException()))).Verdict.ShouldBe(GuardrailVerdict.Trip);
    }

    [Theory]
    [InlineData("- regex: [x]", 6, "unknown key 'regex' in a guardrail")]
    [InlineData("- max_length: many", 6, "max_length must be a whole number")]
    [InlineData("- deny: ['(unclosed']", 6, "Deny pattern 1")]
    [InlineData("- max_length: 5\n          action: redact", 7, "can only stop the run")]
    [InlineData("- redact: [email, ssn]", 6, "not 'ssn'")]
    [InlineData("- judge: { prompt: Rude? }", 6, "judge has no model")]
    [InlineData("- json_schema: { type: object }", 6, "put it under guardrails.output")]
    [InlineData("- deny: [a]\n          max_length: 3", 6, "one kind, not deny and max_length")]
    public void LoadYaml_BadGuardrail_IsAnErrorWithTheLine(string entry, int line, string message)
    {
        string yaml = $"""
            agents:
              - name: helper
                instructions: Help.
                guardrails:
                  input:
                    {entry}
            """;

        ConfigurationException error = Should.Throw<ConfigurationException>(() => AgentTeam.LoadYaml(yaml));

        error.Message.ShouldStartWith($"agents.yaml:{line}:");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void LoadYaml_UnknownStage_IsAnErrorNamingIt()
    {
        const string yaml = """
            agents:
              - name: helper
                guardrails:
                  inputs: [{ max_length: 3 }]
            """;

        Should.Throw<ConfigurationException>(() => AgentTeam.LoadYaml(yaml)).Message.ShouldContain("agents.yaml:4: unknown key 'inputs' in guardrails; did you mean 'input'?");
    }
}
