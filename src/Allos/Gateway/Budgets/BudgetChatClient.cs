using System.Runtime.CompilerServices;
using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Refuses calls that could overspend a budget, with a <see cref="BudgetExceededException"/>, and counts what calls cost.</summary>
internal sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly BudgetLedger _ledger;
    private readonly AnsweringModel _model;

    public BudgetChatClient(IChatClient inner, BudgetOptions options)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options.Models, nameof(options.Models));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        RouterValidation.ValidateBudgets(options.Budgets, "BudgetOptions.Budgets");
        _ledger = new BudgetLedger(options.Budgets, options.Store, options.TimeProvider);
        _model = new AnsweringModel(inner, options.Models);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ModelInfo info = _model.InfoOf(options);
        BudgetHold hold = await ReserveAsync(messages, options, info, cancellationToken).ConfigureAwait(false);
        decimal? cost = null;
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            cost = ResponseCost.Get(response) ?? (response.Usage is { } usage ? CostCalculator.Cost(info, usage) : null);
            return response;
        }
        finally
        {
            _ledger.Settle(hold, cost);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ModelInfo info = _model.InfoOf(options);
        BudgetHold hold = await ReserveAsync(messages, options, info, cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        decimal? reported = null;
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                usage = RateLimitChatClient.UsageOf(update, usage);
                reported = (update.AdditionalProperties is { Count: > 0 } ? ResponseCost.Get(update) : null) ?? reported;
                yield return update;
            }
        }
        finally
        {
            _ledger.Settle(hold, reported ?? (usage is null ? null : CostCalculator.Cost(info, usage)));
        }
    }

    private ValueTask<BudgetHold> ReserveAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, ModelInfo info, CancellationToken cancellationToken)
    {
        decimal? estimate = info.Pricing is { } price
            ? ((InputTokenEstimate.Of(messages, options) * price.Input) + ((options?.MaxOutputTokens ?? info.MaxOutputTokens) * price.Output)) / 1_000_000m
            : null;
        return _ledger.ReserveAsync(
            _model.ModelOf(options),
            RouterChatOptions.Read(options, RouterChatOptions.UserKey),
            RouterChatOptions.Read(options, RouterChatOptions.SessionKey),
            estimate,
            cancellationToken);
    }
}
