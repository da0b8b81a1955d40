using Allos.Agents;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Agents;

public sealed class HistoryRepairTests
{
    private static ChatMessage Calls(params string[] ids) =>
        new(ChatRole.Assistant, [.. ids.Select(id => (AIContent)new FunctionCallContent(id, "f", new Dictionary<string, object?>()))]);

    private static ChatMessage Results(params string[] ids) =>
        new(ChatRole.Tool, [.. ids.Select(id => (AIContent)new FunctionResultContent(id, "r-" + id))]);

    [Fact]
    public void Repair_ValidHistory_IsUntouched()
    {
        List<ChatMessage> history = [new(ChatRole.User, "q"), Calls("a", "b"), Results("a", "b"), new(ChatRole.Assistant, "done")];
        List<ChatMessage> before = [.. history];

        HistoryRepair.Repair(history).ShouldBe(0);

        history.ShouldBe(before);
    }

    [Fact]
    public void Repair_CallWithoutResult_GetsAnErrorResultRightAfterIt()
    {
        List<ChatMessage> history = [new(ChatRole.User, "q"), Calls("a", "b"), Results("a"), new(ChatRole.User, "next")];

        HistoryRepair.Repair(history).ShouldBeGreaterThan(0);

        history.Count.ShouldBe(5);
        history[2].Contents.OfType<FunctionResultContent>().Single().CallId.ShouldBe("a");
        FunctionResultContent synthetic = history[3].Contents.OfType<FunctionResultContent>().Single();
        synthetic.CallId.ShouldBe("b");
        synthetic.Result.ShouldBe(HistoryRepair.MissingResultText);
        history[4].Text.ShouldBe("next");
    }

    [Fact]
    public void Repair_TrailingCallsWithoutResults_AreClosed()
    {
        List<ChatMessage> history = [new(ChatRole.User, "q"), Calls("a")];

        HistoryRepair.Repair(history);

        history.Count.ShouldBe(3);
        history[2].Role.ShouldBe(ChatRole.Tool);
    }

    [Fact]
    public void Repair_ResultWithoutCall_IsDropped()
    {
        List<ChatMessage> history = [new(ChatRole.User, "q"), Results("ghost"), Calls("a"), Results("a", "ghost2")];

        HistoryRepair.Repair(history);

        history.Count.ShouldBe(3);
        history[2].Contents.OfType<FunctionResultContent>().Select(r => r.CallId).ShouldBe(["a"]);
    }

    [Fact]
    public void Repair_ResultsAfterALaterUserMessage_DoNotPairWithOldCalls()
    {
        List<ChatMessage> history = [Calls("a"), new(ChatRole.User, "interrupt"), Results("a")];

        HistoryRepair.Repair(history);

        history.Count.ShouldBe(3);
        history[1].Contents.OfType<FunctionResultContent>().Single().Result.ShouldBe(HistoryRepair.MissingResultText);
        history[2].Text.ShouldBe("interrupt");
    }
}
