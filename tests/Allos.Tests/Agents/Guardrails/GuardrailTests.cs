using Allos.Agents.Guardrails;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Agents.Guardrails;

/// <summary>The built-in guardrails on their own, without a run.</summary>
public sealed class GuardrailTests
{
    private static GuardrailContext Context(string text, GuardrailStage stage = GuardrailStage.Input) =>
        new(stage, "assistant", text, _ => throw new InvalidOperationException("no model here"));

    private static async Task<GuardrailResult> CheckAsync(Guardrail guardrail, string text) =>
        await guardrail.CheckAsync(Context(text, guardrail.Stage));

    // Made-up keys are written in two pieces so the source holds no string in a real key's exact format (secret scanners block those).
    [Theory]
    [InlineData("write to jane.doe+x@mail.example.co.uk now", "write to [redacted:email] now")]
    [InlineData("call +1 (415) 555-0132 today", "call [redacted:phone] today")]
    [InlineData("call 415-555-0132 today", "call [redacted:phone] today")]
    [InlineData("card 4111 1111 1111 1111 ok", "card [redacted:card] ok")]
    [InlineData("card 5500-0000-0000-0004 ok", "card [redacted:card] ok")]
    [InlineData("key sk-proj-" + "abcdefghijklmnopqrstuvwxyz123456", "key [redacted:api_key]")]
    [InlineData("key sk-ant-" + "api03-abcdefghijklmnopqrstuvwxyz", "key [redacted:api_key]")]
    [InlineData("aws " + "AKIA" + "IOSFODNN7EXAMPLE here", "aws [redacted:api_key] here")]
    [InlineData("gh ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789 x", "gh [redacted:api_key] x")]
    [InlineData("slack xoxb-" + "1234567890-abcdefghij", "slack [redacted:api_key]")]
    [InlineData("google AIza" + "SyA-abcdefghijklmnopqrstuvwxyz01234 x", "google [redacted:api_key] x")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Authorization: Bearer [redacted:api_key]")]
    public async Task Redact_EachKind_IsReplacedWithItsMarker(string text, string expected)
    {
        GuardrailResult result = await CheckAsync(Guardrail.Redact(GuardrailStage.Input), text);

        result.Verdict.ShouldBe(GuardrailVerdict.Redact);
        result.Text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("order 4111 1111 1111 1112 shipped")] // 16 digits that fail the Luhn check
    [InlineData("on 2024-05-17 at 10:30")]
    [InlineData("version 1.2.3 of sk-short")]
    public async Task Redact_NothingSensitive_Passes(string text)
    {
        (await CheckAsync(Guardrail.Redact(GuardrailStage.Input), text)).ShouldBeSameAs(GuardrailResult.Pass);
    }

    [Fact]
    public async Task Redact_OnlyTheKindsAsked_AreReplaced()
    {
        GuardrailResult result = await CheckAsync(Guardrail.Redact(GuardrailStage.Output, RedactionKinds.Email), "a@b.example and 4111111111111111");

        result.Text.ShouldBe("[redacted:email] and 4111111111111111");
    }

    [Fact]
    public async Task Redact_StopAction_TripsNamingTheKindNotTheText()
    {
        GuardrailResult result = await CheckAsync(Guardrail.Redact(GuardrailStage.Input, action: GuardrailAction.Stop), "mine is jane@example.com");

        result.Verdict.ShouldBe(GuardrailVerdict.Trip);
        result.Reason.ShouldBe("the input contains an email address");
        Guardrail.Redact(GuardrailStage.Input, action: GuardrailAction.Stop).Redacts.ShouldBeFalse();
    }

    [Fact]
    public async Task Deny_Match_TripsWithThePatternNumberOnly()
    {
        GuardrailResult result = await CheckAsync(Guardrail.Deny(["forbidden", "(?i)hunter2"]), "my password is HUNTER2");

        result.Verdict.ShouldBe(GuardrailVerdict.Trip);
        result.Reason.ShouldBe("the input matches deny pattern 2");
    }

    [Fact]
    public async Task Deny_NoMatch_Passes() =>
        (await CheckAsync(Guardrail.Deny(["forbidden"]), "all fine")).ShouldBeSameAs(GuardrailResult.Pass);

    [Fact]
    public async Task Deny_RedactAction_ReplacesMatches()
    {
        Guardrail deny = Guardrail.Deny(["\\bACME\\b"], action: GuardrailAction.Redact);

        GuardrailResult result = await CheckAsync(deny, "ACME and ACMEX");

        deny.Redacts.ShouldBeTrue();
        result.Text.ShouldBe("[redacted:deny] and ACMEX");
    }

    [Fact]
    public void Deny_InvalidPattern_ThrowsNamingIt() =>
        Should.Throw<ArgumentException>(() => Guardrail.Deny(["ok", "(unclosed"])).Message.ShouldContain("Deny pattern 2");

    [Fact]
    public async Task MaxLength_OverTheLimit_TripsAndAtTheLimitPasses()
    {
        Guardrail max = Guardrail.MaxLength(5);

        (await CheckAsync(max, "12345")).ShouldBeSameAs(GuardrailResult.Pass);
        (await CheckAsync(max, "123456")).Reason.ShouldBe("the input is 6 characters, over the limit of 5");
    }

    [Fact]
    public async Task JsonSchema_ChecksTheAnswer()
    {
        Guardrail schema = Guardrail.JsonSchema("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""");

        schema.Stage.ShouldBe(GuardrailStage.Output);
        (await CheckAsync(schema, """{"n": 3}""")).ShouldBeSameAs(GuardrailResult.Pass);
        (await CheckAsync(schema, "```json\n{\"n\": 3}\n```")).ShouldBeSameAs(GuardrailResult.Pass);
        (await CheckAsync(schema, "three")).Reason.ShouldBe("the answer is not valid JSON");
        (await CheckAsync(schema, """{"m": 3}""")).Verdict.ShouldBe(GuardrailVerdict.Trip);
    }

    [Fact]
    public void JsonSchema_NotJson_Throws() =>
        Should.Throw<ArgumentException>(() => Guardrail.JsonSchema("{type: object")).Message.ShouldContain("not valid JSON");

    [Theory]
    [InlineData("""{"tripped": false}""", GuardrailVerdict.Pass, null)]
    [InlineData("""Verdict: {"tripped": true, "reason": "rude"}""", GuardrailVerdict.Trip, "rude")]
    [InlineData("""{"tripped": true, "reason": "it names bob@example.com"}""", GuardrailVerdict.Trip, "it names [redacted:email]")]
    [InlineData("""{"tripped": true}""", GuardrailVerdict.Trip, "the judge found the text breaks its rule")]
    public void JudgeVerdict_ReadsTheAnswer(string answer, GuardrailVerdict verdict, string? reason)
    {
        GuardrailResult result = JudgeGuardrail.Verdict(answer).ShouldNotBeNull();

        result.Verdict.ShouldBe(verdict);
        result.Reason.ShouldBe(reason);
    }

    [Theory]
    [InlineData("no json at all")]
    [InlineData("""{"tripped": "no"}""")]
    [InlineData("""{"ok": true}""")]
    [InlineData("""{"tripped": tru""")]
    public void JudgeVerdict_NoVerdict_IsNull(string answer) => JudgeGuardrail.Verdict(answer).ShouldBeNull();

    [Fact]
    public async Task Judge_ModelCallFails_Trips()
    {
        Guardrail judge = Guardrail.Judge("Rude?", "openai/small");

        GuardrailResult result = await judge.CheckAsync(new GuardrailContext(GuardrailStage.Input, "a", "hi", _ => new FailingClient()));

        result.Verdict.ShouldBe(GuardrailVerdict.Trip);
        result.Reason.ShouldNotBeNull().ShouldContain("could not be asked");
    }

    private sealed class FailingClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new HttpRequestException("connection refused");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new HttpRequestException("connection refused");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
