using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Token sums and turn boundaries of one history, kept up to date incrementally: messages appended since the last call
/// are estimated once, so a call on a long history costs what was added, not its length.
/// </summary>
/// <remarks>
/// A turn starts at a user message (one that is not carrying tool results) once every earlier tool call has its result,
/// so a turn always holds complete call/result pairs. Messages before the first user message form a leading turn. System
/// messages are counted apart: policies keep all of them.
/// The history is assumed to only grow between calls. A shrink, or a different first, middle or last message than last
/// time, rebuilds the index from scratch; an edit elsewhere in place is not noticed (pass a new list after such an edit).
/// Not thread-safe: the owning policy locks around it.
/// </remarks>
internal sealed class HistoryIndex
{
    private TokenEstimator _estimator;
    private readonly HashSet<string> _pendingCalls = new(StringComparer.Ordinal);
    private long[] _all = new long[17];     // _all[i]: tokens of messages [0, i)
    private long[] _system = new long[17];  // _system[i]: tokens of the system messages among [0, i)
    private ChatMessage? _first;
    private ChatMessage? _middle;
    private int _middleIndex;
    private ChatMessage? _last;

    public HistoryIndex(TokenEstimator estimator)
    {
        _estimator = estimator;
    }

    /// <summary>Gets the number of messages indexed.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the index of the first message of each turn, in order.</summary>
    public List<int> TurnStarts { get; } = [];

    /// <summary>Gets the indexes of the system messages, in order.</summary>
    public List<int> SystemIndexes { get; } = [];

    /// <summary>Gets the tokens of every message.</summary>
    public long TotalTokens => _all[Count];

    /// <summary>Gets the tokens of the system messages.</summary>
    public long SystemTokens => _system[Count];

    /// <summary>Gets how many times the index was rebuilt from scratch (for tests).</summary>
    public int Rebuilds { get; private set; }

    /// <summary>Gets the estimator the sums were counted with.</summary>
    public TokenEstimator Estimator => _estimator;

    /// <summary>Brings the index up to date with <paramref name="history"/>, counted by <paramref name="estimator"/>; returns <see langword="false"/> when it had to start over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Sync(IReadOnlyList<ChatMessage> history, TokenEstimator estimator)
    {
        // Another model's tokenizer (the same list sent to another agent) changes every sum.
        bool sameEstimator = ReferenceEquals(estimator, _estimator);
        _estimator = estimator;
        bool kept = Count == 0 || (sameEstimator && history.Count >= Count
            && ReferenceEquals(history[0], _first)
            && ReferenceEquals(history[_middleIndex], _middle)
            && ReferenceEquals(history[Count - 1], _last));
        if (!kept)
        {
            Reset();
            Rebuilds++;
        }

        if (history.Count == Count)
        {
            return kept;
        }

        EnsureCapacity(history.Count + 1);
        for (int i = Count; i < history.Count; i++)
        {
            Append(history[i], i);
        }

        Count = history.Count;
        _first = history[0];
        _middleIndex = Count / 2;
        _middle = history[_middleIndex];
        _last = history[Count - 1];
        return kept;
    }

    /// <summary>Tokens of the messages in [<paramref name="start"/>, <see cref="Count"/>).</summary>
    public long TokensFrom(int start) => _all[Count] - _all[start];

    /// <summary>Tokens of the non-system messages in [<paramref name="start"/>, <see cref="Count"/>).</summary>
    public long NonSystemTokensFrom(int start) => TokensFrom(start) - (_system[Count] - _system[start]);

    /// <summary>Tokens of the non-system messages of turns [<paramref name="fromTurn"/>, <paramref name="toTurn"/>).</summary>
    public long NonSystemTokens(int fromTurn, int toTurn)
    {
        int start = TurnStarts[fromTurn];
        int end = toTurn < TurnStarts.Count ? TurnStarts[toTurn] : Count;
        return _all[end] - _all[start] - (_system[end] - _system[start]);
    }

    /// <summary>Tokens of message <paramref name="index"/>.</summary>
    public long TokensOf(int index) => _all[index + 1] - _all[index];

    /// <summary>Tokens of the first <paramref name="count"/> messages.</summary>
    public long TokensBefore(int count) => _all[count];

    /// <summary>
    /// The estimated tokens of the whole history, and how much the provider's report exceeded the estimate of what it
    /// covered (instructions, tool declarations, tokenizer differences; never negative), which policies add to any subset.
    /// </summary>
    public (long Total, long Correction) Measure(UsageAnchor? anchor)
    {
        if (anchor is null || anchor.MessageCount > Count || anchor.MessageCount == 0)
        {
            return (TotalTokens, 0);
        }

        long covered = _all[anchor.MessageCount];
        return (anchor.InputTokens + TokensFrom(anchor.MessageCount), Math.Max(0, anchor.InputTokens - covered));
    }

    /// <summary>The messages from <paramref name="start"/> on, preceded by the system messages before it.</summary>
    public List<ChatMessage> SystemAndTail(IReadOnlyList<ChatMessage> history, int start, ChatMessage? insert = null)
    {
        var result = new List<ChatMessage>(Count - start + SystemIndexes.Count + 1);
        foreach (int index in SystemIndexes)
        {
            if (index >= start)
            {
                break;
            }

            result.Add(history[index]);
        }

        if (insert is not null)
        {
            result.Add(insert);
        }

        for (int i = start; i < Count; i++)
        {
            result.Add(history[i]);
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Append(ChatMessage message, int index)
    {
        long tokens = _estimator.Estimate(message);
        bool isSystem = message.Role == ChatRole.System;
        _all[index + 1] = _all[index] + tokens;
        _system[index + 1] = _system[index] + (isSystem ? tokens : 0);
        if (isSystem)
        {
            SystemIndexes.Add(index);
            return;
        }

        // By index: a foreach over the IList would box an enumerator per message.
        IList<AIContent> contents = message.Contents;
        bool hasResults = false;
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionResultContent result)
            {
                hasResults = true;
                _pendingCalls.Remove(result.CallId);
            }
        }

        if (TurnStarts.Count == 0 || (message.Role == ChatRole.User && !hasResults && _pendingCalls.Count == 0))
        {
            TurnStarts.Add(index);
        }

        if (message.Role == ChatRole.Assistant)
        {
            for (int i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionCallContent call)
                {
                    _pendingCalls.Add(call.CallId);
                }
            }
        }
    }

    private void EnsureCapacity(int size)
    {
        if (_all.Length < size)
        {
            int length = Math.Max(size, _all.Length * 2);
            Array.Resize(ref _all, length);
            Array.Resize(ref _system, length);
        }
    }

    private void Reset()
    {
        Count = 0;
        TurnStarts.Clear();
        SystemIndexes.Clear();
        _pendingCalls.Clear();
        _first = _middle = _last = null;
        _middleIndex = 0;
    }
}
