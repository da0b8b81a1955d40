using Allos.Models;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Sessions;

/// <summary>Creates, resumes, forks, clears, deletes, searches and exports sessions kept in a store.</summary>
/// <remarks>Thread-safe as far as the store is. Use one <see cref="ChatSession"/> per conversation at a time.</remarks>
public sealed class SessionManager
{
    private readonly ISessionStore _store;
    private readonly ITelemetryStore? _telemetry;
    private readonly ModelCatalog _catalog;

    /// <summary>Initializes a manager over a store (SQLite by default: <c>SqliteStore.OpenAsync(path)</c>).</summary>
    public SessionManager(ISessionStore store, ITelemetryStore? telemetry = null, ModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _telemetry = telemetry;
        _catalog = catalog ?? ModelCatalog.Default;
    }

    /// <summary>
    /// Gets or sets whether sessions record each model call in the telemetry store. Default: <see langword="true"/>.
    /// Set it to <see langword="false"/> when the chat client is a <see cref="Gateway.Router"/> recording to the same store,
    /// so calls are not counted twice; tool executions and run steps are still recorded.
    /// </summary>
    public bool RecordModelCalls { get; set; } = true;

    /// <summary>Creates an empty session.</summary>
    public async Task<ChatSession> CreateAsync(string? title = null, string? agent = null, string? model = null, CancellationToken cancellationToken = default)
    {
        SessionRecord record = await _store.CreateAsync(new SessionRecord { Title = title, Agent = agent, Model = model }, cancellationToken).ConfigureAwait(false);
        return new ChatSession(record, [], _store, _telemetry, _catalog, RecordModelCalls);
    }

    /// <summary>Opens the session <paramref name="sessionId"/> with its messages, or creates an empty one with that id when there is none.</summary>
    public async Task<ChatSession> OpenOrCreateAsync(string sessionId, string? agent = null, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        if (await _store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) is null)
        {
            SessionRecord record = await _store.CreateAsync(new SessionRecord { Id = sessionId, Agent = agent, Model = model }, cancellationToken).ConfigureAwait(false);
            return new ChatSession(record, [], _store, _telemetry, _catalog, RecordModelCalls);
        }

        return await ResumeAsync(sessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a stored session with its messages (from the last <see cref="ClearContextAsync"/> or <see cref="CompactContextAsync"/> on).</summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    public async Task<ChatSession> ResumeAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionRecord record = await RequireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<StoredMessage> messages = await _store.GetMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return new ChatSession(record, SessionView.Of([.. messages.Select(m => m.Message)]), _store, _telemetry, _catalog, RecordModelCalls);
    }

    /// <summary>Lists sessions, most recently updated first.</summary>
    public Task<IReadOnlyList<SessionRecord>> ListAsync(SessionQuery? query = null, CancellationToken cancellationToken = default) =>
        _store.ListAsync(query ?? new SessionQuery(), cancellationToken);

    /// <summary>Copies a session (all of it, or up to a message) into a new one and opens the copy.</summary>
    public async Task<ChatSession> ForkAsync(string sessionId, long? upToSequence = null, CancellationToken cancellationToken = default)
    {
        string id = await _store.ForkAsync(sessionId, upToSequence, cancellationToken).ConfigureAwait(false);
        return await ResumeAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a session's messages, keeping the session and its totals.</summary>
    public Task ClearAsync(string sessionId, CancellationToken cancellationToken = default) => _store.ClearAsync(sessionId, cancellationToken);

    /// <summary>
    /// Replaces a session's messages with <paramref name="messages"/> (for example a summary of the older turns and the
    /// last few turns, when compacting) and opens it again, in one transaction: a crash leaves the old history or the new
    /// one. The session keeps its id and totals; <paramref name="turn"/>, when given, adds what producing the new history
    /// spent (the summarizing call) to them.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    public async Task<ChatSession> ReplaceMessagesAsync(string sessionId, IEnumerable<ChatMessage> messages, TurnMetadata? turn = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        await _store.ReplaceMessagesAsync(sessionId, [.. messages], turn, cancellationToken).ConfigureAwait(false);
        return await ResumeAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the session afresh, as a chat's <c>/clear</c> does: later runs see none of the earlier messages, which stay
    /// stored (export, search and the store's <see cref="ISessionStore.GetMessagesAsync"/> still have them). Returns the
    /// session opened again.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    public async Task<ChatSession> ClearContextAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        await RequireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        await _store.AppendMessagesAsync(sessionId, [SessionView.ClearMarker()], null, cancellationToken).ConfigureAwait(false);
        return await ResumeAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Compacts the session, as a chat's <c>/compact</c> does: later runs see <paramref name="summary"/> (a user message)
    /// followed by the last <paramref name="keepLast"/> messages they would have seen; every message stays stored.
    /// <paramref name="turn"/>, when given, adds what producing the summary spent to the session's totals. Returns the
    /// session opened again.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepLast"/> is negative or more than the session's messages.</exception>
    public async Task<ChatSession> CompactContextAsync(string sessionId, string summary, int keepLast, TurnMetadata? turn = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        ArgumentOutOfRangeException.ThrowIfNegative(keepLast);
        await RequireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        List<ChatMessage> transcript = [.. (await _store.GetMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false)).Select(m => m.Message)];
        List<int> view = SessionView.Positions(transcript);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keepLast, view.Count);
        int keepFrom = keepLast == 0 ? transcript.Count : view[^keepLast];
        await _store.AppendMessagesAsync(sessionId, [SessionView.CompactionMarker(summary, keepFrom)], turn, cancellationToken).ConfigureAwait(false);
        return await ResumeAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Deletes a session; returns whether it existed.</summary>
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _store.DeleteAsync(sessionId, cancellationToken);

    /// <summary>Finds messages by their text, across sessions.</summary>
    public Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default) =>
        _store.SearchAsync(text, limit, cancellationToken);

    /// <summary>Exports a session as JSON: its metadata and its whole transcript at full fidelity (cleared and compacted messages too).</summary>
    public async Task<string> ExportJsonAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        (SessionRecord record, IReadOnlyList<ChatMessage> transcript) = await TranscriptAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return SessionExport.ToJson(record, transcript);
    }

    /// <summary>Exports a session's whole transcript as Markdown, for people: one section per message, tool calls and results as code blocks.</summary>
    public async Task<string> ExportMarkdownAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        (SessionRecord record, IReadOnlyList<ChatMessage> transcript) = await TranscriptAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return SessionExport.ToMarkdown(record, transcript);
    }

    private async Task<SessionRecord> RequireAsync(string sessionId, CancellationToken cancellationToken) =>
        await _store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"There is no session '{sessionId}'. List them with SessionManager.ListAsync (or `allos sessions list`).");

    private async Task<(SessionRecord Record, IReadOnlyList<ChatMessage> Transcript)> TranscriptAsync(string sessionId, CancellationToken cancellationToken)
    {
        SessionRecord record = await RequireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<StoredMessage> messages = await _store.GetMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return (record, [.. messages.Select(m => m.Message)]);
    }
}
