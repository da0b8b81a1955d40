using Allos.Context;
using Allos.Gateway;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Estimation;

public sealed class InputTokenEstimateTests
{
    [Fact]
    public void Of_SameListAppendedTo_EstimatesOnlyTheNewMessages()
    {
        var first = new ChatMessage(ChatRole.User, "What is the capital of France?");
        List<ChatMessage> history = [first];
        long before = InputTokenEstimate.Of(history, null);
        before.ShouldBe(TokenEstimator.Default.Estimate(first));

        // An edit in place to a message already estimated is not seen: the proof that only the appended one was estimated.
        first.Contents[0] = new TextContent(new string('x', 4_000));
        var reply = new ChatMessage(ChatRole.Assistant, "Paris.");
        history.Add(reply);

        InputTokenEstimate.Of(history, null).ShouldBe(before + TokenEstimator.Default.Estimate(reply));
    }

    [Fact]
    public void Of_LastMessageReplaced_EstimatesTheListAgain()
    {
        var first = new ChatMessage(ChatRole.User, "hello");
        List<ChatMessage> history = [first, new(ChatRole.Assistant, "hi")];
        InputTokenEstimate.Of(history, null);

        var replaced = new ChatMessage(ChatRole.Assistant, new string('y', 400));
        history[1] = replaced;

        InputTokenEstimate.Of(history, null).ShouldBe(TokenEstimator.Default.Estimate(first) + TokenEstimator.Default.Estimate(replaced));
    }

    [Fact]
    public void Of_OptionsWithInstructionsAndTools_CountsThemToo()
    {
        ChatMessage[] messages = [new(ChatRole.User, "hi")];
        using var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""");
        AIFunctionDeclaration tool = AIFunctionFactory.CreateDeclaration("weather", "Gets the weather of a city.", schema.RootElement.Clone());
        var options = new ChatOptions { Instructions = new string('i', 40), Tools = [tool] };

        long expected = TokenEstimator.Default.Estimate(messages[0]) + 10
            + TokenEstimator.Default.EstimateText("weather") + TokenEstimator.Default.EstimateText("Gets the weather of a city.")
            + TokenEstimator.Default.EstimateText(tool.JsonSchema.GetRawText());
        InputTokenEstimate.Of(messages, options).ShouldBe(expected);
    }
}
