using Allos.Context;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

public sealed class ContextPolicyTests
{
    // About 245 estimated tokens per turn of Histories.WithToolTurns.
    private static readonly ContextBudget Budget = new(contextWindow: 5_000, reservedOutputTokens: 1_000);
    private static readonly TokenEstimator Estimator = TokenEstimator.Default;

    public static TheoryData<string> TruncatingPolicies => new() { "sliding", "truncate", "adaptive" };

    private static ContextPolicy Create(string name) => name switch
    {
        "sliding" => ContextPolicy.SlidingWindow(),
        "truncate" => ContextPolicy.TruncateOldest(),
        "adaptive" => ContextPolicy.Adaptive(),
        "summarize" => ContextPolicy.Summarize(TestChatClient.Replying("summary")),
        _ => ContextPolicy.None,
    };

    [Theory]
    [InlineData("none")]
    [InlineData("sliding")]
    [InlineData("truncate")]
    [InlineData("summarize")]
    [InlineData("adaptive")]
    public async Task FitAsync_UnderTheTrigger_ReturnsTheSameListUnchanged(string name)
    {
        List<ChatMessage> history = Histories.WithToolTurns(10);

        ContextFit fit = await Create(name).FitAsync(history, Budget);

        fit.Changed.ShouldBeFalse();
        fit.Messages.ShouldBeSameAs(history);
        fit.TokensBefore.ShouldBe(Estimator.Estimate(history));
        fit.TokensAfter.ShouldBe(fit.TokensBefore);
        fit.TokensBefore.ShouldBeLessThanOrEqualTo(Budget.TriggerTokens);
    }

    [Fact]
    public async Task FitAsync_NoneOverTheWindow_SendsEverything()
    {
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await ContextPolicy.None.FitAsync(history, Budget);

        fit.Messages.ShouldBeSameAs(history);
        fit.TokensBefore.ShouldBeGreaterThan(Budget.AvailableInputTokens);
    }

    [Theory]
    [MemberData(nameof(TruncatingPolicies))]
    public async Task FitAsync_OverTheTrigger_KeepsSystemLastTurnsAndToolPairsUnderTheTrigger(string name)
    {
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await Create(name).FitAsync(history, Budget);

        fit.Changed.ShouldBeTrue();
        fit.TokensBefore.ShouldBe(Estimator.Estimate(history));
        fit.Messages[0].ShouldBeSameAs(history[0]);
        fit.Messages.ShouldEndWithLastTurns(history, Budget.KeepLastTurns);
        fit.Messages.ShouldHaveIntactToolPairs();
        fit.Messages[1].Role.ShouldBe(ChatRole.User, "whole turns are dropped, so the first kept message starts a turn");
        fit.TokensAfter.ShouldBe(Estimator.Estimate(fit.Messages));
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(Budget.TriggerTokens);
        history.Count.ShouldBe(401, "the history itself is not modified");
    }

    [Fact]
    public async Task FitAsync_TruncateOldest_DropsOnlyAsManyTurnsAsNeeded()
    {
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await ContextPolicy.TruncateOldest().FitAsync(history, Budget);

        int firstKept = history.IndexOf(fit.Messages[1]);
        List<ChatMessage> oneMoreTurn = [history[0], .. history.Skip(firstKept - 4)];
        Estimator.Estimate(oneMoreTurn).ShouldBeGreaterThan(Budget.TriggerTokens);
        fit.Messages.Count.ShouldBeGreaterThan(1 + (4 * Budget.KeepLastTurns));
    }

    [Fact]
    public async Task FitAsync_SlidingWindow_KeepsExactlyTheLastTurns()
    {
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await ContextPolicy.SlidingWindow().FitAsync(history, Budget with { KeepLastTurns = 2 });

        fit.Messages.Count.ShouldBe(1 + 8);
        fit.Messages.ShouldEndWithLastTurns(history, 2);
    }

    [Theory]
    [MemberData(nameof(TruncatingPolicies))]
    public async Task FitAsync_LastTurnsLargerThanTheWindow_KeepsFewerButAlwaysTheLastOne(string name)
    {
        List<ChatMessage> history = Histories.WithToolTurns(20);
        var tight = new ContextBudget(1_000, 200) { KeepLastTurns = 10 };

        ContextFit fit = await Create(name).FitAsync(history, tight);

        fit.TokensAfter.ShouldBeLessThanOrEqualTo(tight.AvailableInputTokens);
        fit.Messages.ShouldEndWithLastTurns(history, 1);
        fit.Messages.ShouldHaveIntactToolPairs();
    }

    [Fact]
    public async Task FitAsync_SystemMessageInTheMiddle_IsKept()
    {
        List<ChatMessage> history = Histories.WithToolTurns(20);
        var note = new ChatMessage(ChatRole.System, "Remember: the user prefers metric units.");
        history.Insert(10, note);
        Histories.AddTurn(history, 99);
        for (int t = 100; t < 120; t++)
        {
            Histories.AddTurn(history, t);
        }

        ContextFit fit = await ContextPolicy.TruncateOldest().FitAsync(history, Budget);

        fit.Messages.Take(2).ShouldBe([history[0], note]);
        fit.Messages.ShouldHaveIntactToolPairs();
    }

    [Fact]
    public async Task FitAsync_TurnWithSeveralToolRounds_IsDroppedWhole()
    {
        List<ChatMessage> history = [new(ChatRole.System, "s")];
        for (int t = 0; t < 40; t++)
        {
            history.Add(new ChatMessage(ChatRole.User, "go " + new string('u', 300)));
            for (int round = 0; round < 3; round++)
            {
                string a = $"c{t}_{round}_a";
                string b = $"c{t}_{round}_b";
                history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(a, "f"), new FunctionCallContent(b, "g")]));
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(a, new string('x', 200))]));
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(b, new string('y', 200))]));
            }

            history.Add(new ChatMessage(ChatRole.Assistant, "done"));
        }

        ContextFit fit = await ContextPolicy.TruncateOldest().FitAsync(history, Budget);

        fit.Changed.ShouldBeTrue();
        fit.Messages.ShouldHaveIntactToolPairs();
        fit.Messages[1].Role.ShouldBe(ChatRole.User);
        fit.Messages[^1].Text.ShouldBe("done");
    }

    [Theory]
    [MemberData(nameof(TruncatingPolicies))]
    public async Task FitAsync_NothingChangedSinceTheLastCall_ReturnsTheCachedFit(string name)
    {
        ContextPolicy policy = Create(name);
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit first = await policy.FitAsync(history, Budget);
        ContextFit second = await policy.FitAsync(history, Budget with { });

        second.ShouldBeSameAs(first);
    }

    [Theory]
    [MemberData(nameof(TruncatingPolicies))]
    public async Task FitAsync_HistoryGrewOrShrank_MatchesAFreshComputation(string name)
    {
        ContextPolicy policy = Create(name);
        List<ChatMessage> history = Histories.WithToolTurns(60);
        await policy.FitAsync(history, Budget);

        for (int t = 60; t < 70; t++)
        {
            Histories.AddTurn(history, t);
        }

        ContextFit grown = await policy.FitAsync(history, Budget);
        ContextFit fresh = await Create(name).FitAsync([.. history], Budget);
        grown.Messages.ShouldBe(fresh.Messages);
        grown.TokensAfter.ShouldBe(fresh.TokensAfter);

        history.RemoveRange(history.Count - 8, 8);
        ContextFit shrunk = await policy.FitAsync(history, Budget);
        ContextFit freshShrunk = await Create(name).FitAsync([.. history], Budget);
        shrunk.Messages.ShouldBe(freshShrunk.Messages);
        shrunk.TokensBefore.ShouldBe(Estimator.Estimate(history));
    }

    [Fact]
    public async Task FitAsync_HistoryGrewUnderTheTrigger_ReturnsTheSameListAgain()
    {
        ContextPolicy policy = ContextPolicy.TruncateOldest();
        List<ChatMessage> history = Histories.WithToolTurns(5);
        await policy.FitAsync(history, Budget);
        Histories.AddTurn(history, 5);

        ContextFit fit = await policy.FitAsync(history, Budget);

        fit.Messages.ShouldBeSameAs(history);
        fit.TokensBefore.ShouldBe(Estimator.Estimate(history));
    }

    [Fact]
    public async Task FitAsync_WithAnchor_MeasuresReportedPlusDeltaAndCarriesTheDifferenceIntoTheResult()
    {
        List<ChatMessage> history = Histories.WithToolTurns(12);
        int covered = history.Count;
        long estimatedCovered = Estimator.Estimate(history);
        Histories.AddTurn(history, 12);
        long delta = Estimator.Estimate(history.Skip(covered));
        var anchored = Budget with { Anchor = new UsageAnchor(estimatedCovered + 500, covered) };

        ContextFit fit = await ContextPolicy.TruncateOldest().FitAsync(history, anchored);

        fit.TokensBefore.ShouldBe(estimatedCovered + 500 + delta);
        fit.Changed.ShouldBeTrue("the provider's count is above the trigger although the plain estimate is not");
        Estimator.Estimate(history).ShouldBeLessThan(Budget.TriggerTokens);
        fit.TokensAfter.ShouldBe(Estimator.Estimate(fit.Messages) + 500);
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(Budget.TriggerTokens);
    }

    [Fact]
    public async Task FitAsync_Adaptive_ShortensOldToolResultsBeforeDroppingAnything()
    {
        List<ChatMessage> history = Histories.WithToolTurns(16, resultChars: 4_000);
        var budget = new ContextBudget(20_000, 2_000) { KeepLastTurns = 2 };

        ContextFit fit = await ContextPolicy.Adaptive(toolResultTokenLimit: 100).FitAsync(history, budget);

        fit.Changed.ShouldBeTrue();
        fit.Messages.Count.ShouldBe(history.Count);
        fit.Messages.ShouldHaveIntactToolPairs();
        fit.Messages.ShouldEndWithLastTurns(history, 2);
        string oldResult = (string)fit.Messages[3].Contents.OfType<FunctionResultContent>().Single().Result!;
        oldResult.ShouldContain("characters left out");
        oldResult.Length.ShouldBeLessThanOrEqualTo(400);
        fit.TokensAfter.ShouldBe(Estimator.Estimate(fit.Messages));
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(budget.TriggerTokens);
        ((string)history[3].Contents.OfType<FunctionResultContent>().Single().Result!).Length.ShouldBeGreaterThan(4_000, "the history is not modified");
    }

    [Fact]
    public async Task FitAsync_AdaptiveWhenShorteningIsNotEnough_SummarizesThenKeepsTheSummary()
    {
        var summarizer = TestChatClient.Replying("They read many files.");
        ContextPolicy policy = ContextPolicy.Adaptive(summarizer, toolResultTokenLimit: 100);
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await policy.FitAsync(history, Budget);

        summarizer.Calls.Count.ShouldBe(1);
        fit.Messages[1].Text.ShouldEndWith("They read many files.");
        fit.Messages.ShouldEndWithLastTurns(history, Budget.KeepLastTurns);
    }

    [Theory]
    [InlineData("sliding")]
    [InlineData("truncate")]
    [InlineData("adaptive")]
    public async Task FitAsync_BudgetNamesAnExactEstimator_CountsWithIt(string name)
    {
        TokenEstimator exact = TokenEstimator.ForModel("openai/gpt-4o");
        List<ChatMessage> history = Prose(30);

        ContextFit exactFit = await Create(name).FitAsync(history, Budget with { Estimator = exact });
        ContextFit estimatedFit = await Create(name).FitAsync(history, Budget);

        exactFit.TokensBefore.ShouldBe(exact.Estimate(history));
        estimatedFit.TokensBefore.ShouldBe(Estimator.Estimate(history));
        exactFit.TokensBefore.ShouldBeLessThan(estimatedFit.TokensBefore, "16 tokens for 78 characters, not 20");
    }

    [Fact]
    public async Task FitAsync_PolicyWithItsOwnEstimator_IgnoresTheBudgets()
    {
        List<ChatMessage> history = Prose(30);

        ContextFit fit = await ContextPolicy.TruncateOldest(TokenEstimator.Default).FitAsync(history, Budget with { Estimator = TokenEstimator.ForModel("openai/gpt-4o") });

        fit.TokensBefore.ShouldBe(Estimator.Estimate(history));
    }

    [Fact]
    public async Task FitAsync_SameListUnderAnotherEstimator_RecountsEveryMessage()
    {
        ContextPolicy policy = ContextPolicy.TruncateOldest();
        List<ChatMessage> history = Prose(30);
        TokenEstimator exact = TokenEstimator.ForModel("openai/gpt-4o");
        await policy.FitAsync(history, Budget);

        history.Add(new ChatMessage(ChatRole.User, "One more question."));
        ContextFit fit = await policy.FitAsync(history, Budget with { Estimator = exact });

        fit.TokensBefore.ShouldBe(exact.Estimate(history));
    }

    // Plain English, where an exact count and characters / 4 differ.
    private static List<ChatMessage> Prose(int turns)
    {
        const string Sentence = "Text tokenization is the process of splitting a string into a list of tokens.";
        List<ChatMessage> history = [new(ChatRole.System, "You are a helpful assistant.")];
        for (int t = 0; t < turns; t++)
        {
            history.Add(new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Repeat(Sentence, 5))));
            history.Add(new ChatMessage(ChatRole.Assistant, string.Join(' ', Enumerable.Repeat(Sentence, 10))));
        }

        return history;
    }
}
