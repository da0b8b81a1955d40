using Microsoft.Extensions.AI;

namespace Allos.Storage;

/// <summary>The <see cref="ISessionStore"/> of a <see cref="LazyStore"/>: each call opens the store if it is not open yet.</summary>
internal sealed class LazySessionStore(LazyStore store) : ISessionStore
{
    public async Task<SessionRecord> CreateAsync(SessionRecord session, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).CreateAsync(session, cancellationToken).ConfigureAwait(false);

    public async Task<SessionRecord?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).GetAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(SessionQuery query, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).ListAsync(query, cancellationToken).ConfigureAwait(false);

    public async Task<long> AppendMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).AppendMessagesAsync(sessionId, messages, turn, cancellationToken).ConfigureAwait(false);

    public async Task<long> ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).ReplaceMessagesAsync(sessionId, messages, turn, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).GetMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async Task<bool> UpdateAsync(string sessionId, SessionUpdate update, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).UpdateAsync(sessionId, update, cancellationToken).ConfigureAwait(false);

    public async Task<string> ForkAsync(string sessionId, long? upToSequence = null, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).ForkAsync(sessionId, upToSequence, cancellationToken).ConfigureAwait(false);

    public async Task ClearAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).ClearAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).DeleteAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).SearchAsync(text, limit, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<SearchHit>> SearchAnyAsync(string text, int limit, string? excludeSessionId = null, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).SearchAnyAsync(text, limit, excludeSessionId, cancellationToken).ConfigureAwait(false);

    public async Task MarkRunAsync(string sessionId, string runId, RunMark status, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).MarkRunAsync(sessionId, runId, status, cancellationToken).ConfigureAwait(false);

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).GetRunAsync(runId, cancellationToken).ConfigureAwait(false);

    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default) =>
        await (await SessionsAsync(cancellationToken).ConfigureAwait(false)).RecoverAsync(cancellationToken).ConfigureAwait(false);

    private async Task<ISessionStore> SessionsAsync(CancellationToken cancellationToken) =>
        (await store.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Sessions;
}
