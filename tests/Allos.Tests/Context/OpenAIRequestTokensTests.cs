using System.Text.Json;
using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

/// <summary>OpenAI's rule of thumb, checked part by part: each figure is the difference one element of the request makes.</summary>
public sealed class OpenAIRequestTokensTests
{
    private static readonly TokenEstimator Estimator = TokenEstimator.CreateExact(TiktokenEncoding.O200kBase);

    private static long Tokens(string text) => TiktokenEncoding.O200kBase.Count(text)!.Value;

    private static long Count(IEnumerable<ChatMessage> messages, ChatOptions? options = null) => OpenAIRequestTokens.Count(Estimator, messages, options)!.Value;

    private static AIFunctionDeclaration Tool(string description, string properties) =>
        AIFunctionFactory.CreateDeclaration("weather", description, JsonDocument.Parse($$"""{"type":"object","properties":{{properties}}}""").RootElement);

    [Fact]
    public void Count_NoMessages_IsTheReplyPriming() => Count([]).ShouldBe(3);

    [Fact]
    public void Count_OneMessage_AddsThreeItsRoleAndItsText() =>
        Count([new ChatMessage(ChatRole.User, "Hello there")]).ShouldBe(3 + 3 + Tokens("user") + Tokens("Hello there"));

    [Fact]
    public void Count_AuthorName_AddsOneAndTheName() =>
        (Count([new ChatMessage(ChatRole.User, "Hi") { AuthorName = "bob" }]) - Count([new ChatMessage(ChatRole.User, "Hi")])).ShouldBe(1 + Tokens("bob"));

    [Fact]
    public void Count_Instructions_CountAsASystemMessage() =>
        (Count([], new ChatOptions { Instructions = "Be brief." }) - Count([])).ShouldBe(3 + Tokens("system") + Tokens("Be brief."));

    [Fact]
    public void Count_ToolWithoutProperties_AddsSevenItsNameAndDescriptionAndTwelveAfterTheTools() =>
        (Count([], new ChatOptions { Tools = [Tool("Gets the weather.", "{}")] }) - Count([])).ShouldBe(7 + Tokens("weather:Gets the weather") + 12);

    [Fact]
    public void Count_Property_AddsItsNameTypeAndDescription()
    {
        long without = Count([], new ChatOptions { Tools = [Tool("Gets it", "{}")] });
        long with = Count([], new ChatOptions { Tools = [Tool("Gets it", """{"city":{"type":"string","description":"The city."}}""")] });

        (with - without).ShouldBe(3 + 3 + Tokens("city:string:The city"));
    }

    [Fact]
    public void Count_Enum_AddsMinusThreeThenThreeAndTheValuePerValue()
    {
        long plain = Count([], new ChatOptions { Tools = [Tool("Gets it", """{"unit":{"type":"string"}}""")] });
        long withEnum = Count([], new ChatOptions { Tools = [Tool("Gets it", """{"unit":{"type":"string","enum":["celsius","fahrenheit"]}}""")] });

        (withEnum - plain).ShouldBe(-3 + 3 + Tokens("celsius") + 3 + Tokens("fahrenheit"));
    }
}
