namespace Allos.Context;

/// <summary>
/// How much of a model's window a <see cref="ContextPolicy"/> may fill: the window, the room kept for the answer, when to
/// start compacting and what always stays. Fill <see cref="ContextWindow"/> and <see cref="ReservedOutputTokens"/> from
/// the model catalog (context window and max output tokens).
/// </summary>
public sealed record ContextBudget
{
    private readonly long _contextWindow;
    private readonly long _reservedOutputTokens;
    private readonly double _triggerFraction = 0.8;
    private readonly int _keepLastTurns = 4;

    /// <summary>Initializes a new instance of the <see cref="ContextBudget"/> class.</summary>
    /// <param name="contextWindow">The model's context window, in tokens (input and output together).</param>
    /// <param name="reservedOutputTokens">The tokens kept free for the answer (the call's max output tokens); must be below <paramref name="contextWindow"/>.</param>
    public ContextBudget(long contextWindow, long reservedOutputTokens = 0)
    {
        ContextWindow = contextWindow;
        ReservedOutputTokens = reservedOutputTokens;
    }

    /// <summary>Gets the model's context window, in tokens.</summary>
    public long ContextWindow
    {
        get => _contextWindow;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(ContextWindow));
            if (value <= _reservedOutputTokens)
            {
                throw new ArgumentOutOfRangeException(nameof(ContextWindow), value, $"The context window must be larger than the reserved output tokens ({_reservedOutputTokens}).");
            }

            _contextWindow = value;
        }
    }

    /// <summary>Gets the tokens kept free for the answer. Default: 0.</summary>
    public long ReservedOutputTokens
    {
        get => _reservedOutputTokens;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ReservedOutputTokens));
            if (value >= _contextWindow)
            {
                throw new ArgumentOutOfRangeException(nameof(ReservedOutputTokens), value, $"The reserved output tokens must be below the context window ({_contextWindow}); lower the call's max output tokens.");
            }

            _reservedOutputTokens = value;
        }
    }

    /// <summary>
    /// Gets the fraction of <see cref="AvailableInputTokens"/> above which a policy compacts, and below which it brings the
    /// history back (truncation drops turns until it is under). Default: 0.8.
    /// </summary>
    public double TriggerFraction
    {
        get => _triggerFraction;
        init
        {
            if (!(value is > 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(TriggerFraction), value, "The trigger fraction must be in (0, 1].");
            }

            _triggerFraction = value;
        }
    }

    /// <summary>
    /// Gets how many of the latest turns (a user message and everything up to the next one) always stay as they are, as
    /// long as they fit in <see cref="AvailableInputTokens"/>. Default: 4. The latest turn always stays.
    /// </summary>
    public int KeepLastTurns
    {
        get => _keepLastTurns;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(KeepLastTurns));
            _keepLastTurns = value;
        }
    }

    /// <summary>Gets what the provider reported for the last call on this history, or <see langword="null"/> to estimate every message.</summary>
    public UsageAnchor? Anchor { get; init; }

    /// <summary>
    /// Gets the estimator that counts the model's tokens (<see cref="TokenEstimator.ForModel"/>), used by a built-in policy
    /// created without one of its own. Default: <see langword="null"/>, which means <see cref="TokenEstimator.Default"/>;
    /// <see cref="ContextWindowChatClient"/> fills it from the model it calls.
    /// </summary>
    public TokenEstimator? Estimator { get; init; }

    /// <summary>Gets the tokens the input may use: <see cref="ContextWindow"/> − <see cref="ReservedOutputTokens"/>.</summary>
    public long AvailableInputTokens => ContextWindow - ReservedOutputTokens;

    /// <summary>Gets the input size above which a policy compacts: <see cref="TriggerFraction"/> × <see cref="AvailableInputTokens"/>.</summary>
    public long TriggerTokens => Math.Max(1, (long)(TriggerFraction * AvailableInputTokens));
}
