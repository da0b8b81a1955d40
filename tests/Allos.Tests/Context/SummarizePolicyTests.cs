using Allos.Context;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

public sealed class SummarizePolicyTests
{
    private static readonly ContextBudget Budget = new(contextWindow: 5_000, reservedOutputTokens: 1_000);
    private static readonly TokenEstimator Estimator = TokenEstimator.Default;

    [Fact]
    public async Task FitAsync_OverTheTrigger_ReplacesOldTurnsWithOneSummary()
    {
        var summarizer = TestChatClient.Replying("The user asked about 96 files; all were read.");
        ContextPolicy policy = ContextPolicy.Summarize(summarizer, new SummarizeOptions { ModelId = "small-model", MaxSummaryTokens = 300, ContextWindow = 200_000 });
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await policy.FitAsync(history, Budget);

        fit.Changed.ShouldBeTrue();
        fit.Messages.Count.ShouldBe(1 + 1 + (4 * Budget.KeepLastTurns));
        fit.Messages[0].ShouldBeSameAs(history[0]);
        ChatMessage summary = fit.Messages[1];
        summary.Role.ShouldBe(ChatRole.User);
        summary.Text.ShouldEndWith("The user asked about 96 files; all were read.");
        summary.AdditionalProperties!["allos.context.summary"].ShouldBe(true);
        fit.Messages.ShouldEndWithLastTurns(history, Budget.KeepLastTurns);
        fit.Messages.ShouldHaveIntactToolPairs();
        fit.TokensAfter.ShouldBe(Estimator.Estimate(fit.Messages));

        (List<ChatMessage> request, ChatOptions? options) = summarizer.Calls.ShouldHaveSingleItem();
        options!.ModelId.ShouldBe("small-model");
        options.MaxOutputTokens.ShouldBe(300);
        request[0].Role.ShouldBe(ChatRole.System);
        request[1].Text.ShouldStartWith("Conversation to summarize:\n[user] question 0 ");
        request[1].Text.ShouldContain("question 95 ");
        request[1].Text.ShouldContain("(called tool read_file {\"path\":\"file95.txt\"})");
        request[1].Text.ShouldNotContain("question 96 ", Case.Sensitive, "kept turns are not summarized");
    }

    [Fact]
    public async Task FitAsync_HistoryGrewButStillFitsWithTheSummary_ReusesItWithoutCallingTheModel()
    {
        var summarizer = TestChatClient.Replying("summary one");
        ContextPolicy policy = ContextPolicy.Summarize(summarizer);
        List<ChatMessage> history = Histories.WithToolTurns(100);
        ContextFit first = await policy.FitAsync(history, Budget);

        history.Add(new ChatMessage(ChatRole.User, "one more question"));
        ContextFit second = await policy.FitAsync(history, Budget);

        summarizer.Calls.Count.ShouldBe(1);
        second.Messages[1].ShouldBeSameAs(first.Messages[1]);
        second.Messages[^1].ShouldBeSameAs(history[^1]);
        second.Messages.Count.ShouldBe(first.Messages.Count + 1);
    }

    [Fact]
    public async Task FitAsync_GrewPastTheTriggerAgain_ExtendsThePreviousSummary()
    {
        var summarizer = TestChatClient.Replying("summary one", "summary two");
        ContextPolicy policy = ContextPolicy.Summarize(summarizer);
        List<ChatMessage> history = Histories.WithToolTurns(100);
        await policy.FitAsync(history, Budget);
        for (int t = 100; t < 120; t++)
        {
            Histories.AddTurn(history, t);
        }

        ContextFit fit = await policy.FitAsync(history, Budget);

        summarizer.Calls.Count.ShouldBe(2);
        string transcript = summarizer.Calls[1].Messages[1].Text;
        transcript.ShouldStartWith("Previous summary:\nsummary one");
        transcript.ShouldContain("question 115 ");
        transcript.ShouldNotContain("question 95 ", Case.Sensitive, "turns already summarized are not sent again");
        fit.Messages[1].Text.ShouldEndWith("summary two");
        fit.Messages.ShouldEndWithLastTurns(history, Budget.KeepLastTurns);
    }

    [Fact]
    public async Task FitAsync_SummarizerFails_FallsBackToTruncation()
    {
        var summarizer = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw new ProviderServerException("openai", "boom", 500) };
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await ContextPolicy.Summarize(summarizer).FitAsync(history, Budget);
        ContextFit truncated = await ContextPolicy.TruncateOldest().FitAsync([.. history], Budget);

        summarizer.Calls.Count.ShouldBe(1);
        fit.Changed.ShouldBeTrue();
        fit.Messages.ShouldBe(truncated.Messages);
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(Budget.TriggerTokens);
        fit.Messages.ShouldNotContain(m => m.AdditionalProperties != null && m.AdditionalProperties.ContainsKey("allos.context.summary"));
    }

    [Fact]
    public async Task FitAsync_SummarizerAnswersNothing_FallsBackToTruncation()
    {
        var summarizer = TestChatClient.Replying("  ");
        List<ChatMessage> history = Histories.WithToolTurns(100);

        ContextFit fit = await ContextPolicy.Summarize(summarizer).FitAsync(history, Budget);

        fit.Messages[1].ShouldBeOneOf([.. history]);
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(Budget.TriggerTokens);
    }

    [Fact]
    public async Task FitAsync_HistoryFarLargerThanTheSummarizersWindow_SendsABoundedSlice()
    {
        var summarizer = TestChatClient.Replying("short");
        var options = new SummarizeOptions { ContextWindow = 4_000, MaxSummaryTokens = 500 };
        List<ChatMessage> history = Histories.WithToolTurns(2_000, resultChars: 2_000);
        var budget = new ContextBudget(100_000, 4_000);

        ContextFit fit = await ContextPolicy.Summarize(summarizer, options).FitAsync(history, budget);

        List<ChatMessage> request = summarizer.Calls.ShouldHaveSingleItem().Messages;
        Estimator.Estimate(request).ShouldBeLessThanOrEqualTo(4_000 - 500);
        request[1].Text.ShouldContain("earlier messages left out");
        request[1].Text.ShouldContain("question 1995 ", Case.Sensitive, "the newest summarized turn is in the slice");
        fit.Messages[1].Text.ShouldEndWith("short");
        fit.TokensAfter.ShouldBeLessThanOrEqualTo(budget.AvailableInputTokens);
    }

    [Fact]
    public async Task FitAsync_HugeToolResult_IsClippedInTheSlice()
    {
        var summarizer = TestChatClient.Replying("short");
        List<ChatMessage> history = Histories.WithToolTurns(10);
        history.Insert(3, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_0", new string('z', 1_000_000))]));
        history.RemoveAt(4);

        await ContextPolicy.Summarize(summarizer, new SummarizeOptions { ContextWindow = 8_000 }).FitAsync(history, Budget);

        string transcript = summarizer.Calls.ShouldHaveSingleItem().Messages[1].Text;
        transcript.Length.ShouldBeLessThan(30_000);
        transcript.ShouldContain("characters left out");
        transcript.ShouldContain("question 0 ");
    }

    [Fact]
    public async Task FitAsync_Cancelled_Throws()
    {
        var summarizer = TestChatClient.Replying("never");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() =>
            ContextPolicy.Summarize(summarizer).FitAsync(Histories.WithToolTurns(100), Budget, cts.Token).AsTask());
    }
}
