using Microsoft.Extensions.AI;

namespace Allos.Storage;

/// <summary>
/// Stores sessions: metadata, messages at full fidelity (tool calls, results, reasoning, images), runs, and a full-text
/// index over message text.
/// </summary>
/// <remarks>
/// Implementations are safe to use from several threads, and several processes may share one store. Every method that
/// returns writes its changes durably before its task completes.
/// </remarks>
public interface ISessionStore
{
    /// <summary>Creates a session and returns it as stored (with its id and times filled in).</summary>
    /// <exception cref="InvalidOperationException">A session with that id exists.</exception>
    Task<SessionRecord> CreateAsync(SessionRecord session, CancellationToken cancellationToken = default);

    /// <summary>Gets a session, or <see langword="null"/> when there is none with that id.</summary>
    Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists sessions, most recently updated first.</summary>
    Task<IReadOnlyList<SessionRecord>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends one turn's messages and adds what the turn spent to the session's totals, in one transaction: when the
    /// task completes, the turn survives a crash of the process.
    /// </summary>
    /// <returns>The sequence number of the last message appended (0 when <paramref name="messages"/> is empty).</returns>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    Task<long> AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces all of a session's messages with <paramref name="messages"/> in one transaction (a crash leaves the old
    /// history or the new one), adding <paramref name="turn"/>'s usage to the totals. Returns the last sequence number.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    Task<long> ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a session's messages in order (empty when the session has none or does not exist).</summary>
    Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Changes a session's metadata; returns <see langword="false"/> when there is no such session.</summary>
    Task<bool> UpdateAsync(string sessionId, SessionUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Copies a session, with its messages up to and including <paramref name="upToSequence"/> (all of them when
    /// <see langword="null"/>), into a new session and returns the new id. The copy starts with zero totals: spending
    /// stays with the session that spent it.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    Task<string> ForkAsync(string sessionId, long? upToSequence = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a session's messages and runs, keeping the session and its totals.</summary>
    Task ClearAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session, its messages, runs, run steps and tool executions; returns whether it existed.</summary>
    /// <remarks>Model-call rows are kept for accounting, detached from the session (they hold no message content).</remarks>
    Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds messages by their text. Words must all match; a word ending in <c>*</c> matches as a prefix. The text is
    /// taken literally otherwise (no query operators).
    /// </summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds messages holding any of the words of <paramref name="text"/>, the best matches first, outside
    /// <paramref name="excludeSessionId"/>: what memory recall (<see cref="Allos.Memory.MemoryRecall"/>) looks up.
    /// </summary>
    Task<IReadOnlyList<SearchHit>> SearchAnyAsync(string text, int limit, string? excludeSessionId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a run's state: mark it <see cref="RunMark.Running"/> when it starts and <see cref="RunMark.Completed"/>
    /// or <see cref="RunMark.Incomplete"/> when it ends, so a run whose process died is detected by
    /// <see cref="RecoverAsync"/>.
    /// </summary>
    Task MarkRunAsync(string sessionId, string runId, RunMark status, CancellationToken cancellationToken = default);

    /// <summary>Gets a run, or <see langword="null"/>.</summary>
    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Marks runs left <see cref="RunMark.Running"/> by a process that no longer exists as incomplete; returns how many.</summary>
    Task<int> RecoverAsync(CancellationToken cancellationToken = default);
}
