using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// The common frame of the built-in policies: per-list state, the "nothing changed" fast path, the trigger check, and
/// turn-preserving truncation.
/// </summary>
internal abstract class IndexedContextPolicy : ContextPolicy
{
    // Weak keys: a conversation's state goes away with its list.
    private readonly ConditionalWeakTable<IReadOnlyList<ChatMessage>, HistoryState> _states = [];
    private readonly ConditionalWeakTable<IReadOnlyList<ChatMessage>, HistoryState>.CreateValueCallback _create;

    private readonly TokenEstimator? _estimator;

    protected IndexedContextPolicy(TokenEstimator? estimator)
    {
        _estimator = estimator;
        _create = _ => new HistoryState();
    }

    /// <summary>The policy's own estimator when it was given one, else the budget's (the model's tokenizer), else the estimate.</summary>
    public TokenEstimator EstimatorFor(ContextBudget budget) => _estimator ?? budget.Estimator ?? TokenEstimator.Default;

    public sealed override async ValueTask<ContextFit> FitAsync(IReadOnlyList<ChatMessage> history, ContextBudget budget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(budget);
        cancellationToken.ThrowIfCancellationRequested();

        HistoryState state = _states.GetValue(history, _create);
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.Index.Sync(history, EstimatorFor(budget)))
            {
                state.ResetProgress();
            }

            if (state.LastFit is ContextFit cached && state.LastCount == history.Count && budget.Equals(state.LastBudget))
            {
                return cached;
            }

            (long total, long correction) = state.Index.Measure(budget.Anchor);
            ContextFit fit = total <= budget.TriggerTokens || state.Index.TurnStarts.Count == 0
                ? ContextFit.Unchanged(history, total)
                : await CompactAsync(new Work(history, state, budget, total, correction), cancellationToken).ConfigureAwait(false);

            state.LastFit = fit;
            state.LastCount = history.Count;
            state.LastBudget = budget;
            return fit;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Makes the history fit; called only when it is above the trigger.</summary>
    protected abstract ValueTask<ContextFit> CompactAsync(Work work, CancellationToken cancellationToken);

    /// <summary>Drops whole turns from the front: down to the trigger (truncate) or to the last N turns (sliding), and further only if the kept ones overflow the window.</summary>
    internal static ContextFit Truncate(Work work, bool sliding)
    {
        HistoryIndex index = work.State.Index;
        int turns = index.TurnStarts.Count;
        int keepCut = Math.Max(0, turns - work.Budget.KeepLastTurns);
        int cut = sliding ? keepCut : work.FirstFitting(0, keepCut, work.Budget.TriggerTokens);
        cut = work.FirstFitting(cut, turns - 1, work.Budget.AvailableInputTokens);
        if (cut == 0)
        {
            return ContextFit.Unchanged(work.History, work.Total);
        }

        return new ContextFit(index.SystemAndTail(work.History, index.TurnStarts[cut]), true, work.Total, work.TokensKeptFrom(cut));
    }

    /// <summary>One call's inputs.</summary>
    protected internal readonly record struct Work(IReadOnlyList<ChatMessage> History, HistoryState State, ContextBudget Budget, long Total, long Correction)
    {
        /// <summary>Gets the estimator this history is counted with.</summary>
        public TokenEstimator Estimator => State.Index.Estimator;

        /// <summary>Estimated tokens sent when the turns from <paramref name="turn"/> on are kept with every system message.</summary>
        public long TokensKeptFrom(int turn) =>
            State.Index.SystemTokens + Correction + State.Index.NonSystemTokensFrom(State.Index.TurnStarts[turn]);

        /// <summary>The first turn in [<paramref name="from"/>, <paramref name="to"/>] from which the rest fits in <paramref name="bound"/>; <paramref name="to"/> when none does.</summary>
        public int FirstFitting(int from, int to, long bound)
        {
            // The kept size only shrinks as the cut moves forward, so a binary search finds the first fitting cut.
            int low = from;
            int high = to;
            while (low < high)
            {
                int middle = low + ((high - low) / 2);
                if (TokensKeptFrom(middle) <= bound)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }

            return low;
        }
    }
}
