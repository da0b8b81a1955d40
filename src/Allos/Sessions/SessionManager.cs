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

    /// <summary>Opens a stored session with its messages.</summary>
    /// <exception cref="KeyNotFoundException">There is no session with that id.</exception>
    public async Task<ChatSession> ResumeAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionRecord record = await _store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no session '{sessionId}'. List them with SessionManager.ListAsync (or `allos sessions list`).");
        IReadOnlyList<StoredMessage> messages = await _store.GetMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return new ChatSession(record, messages.Select(m => m.Message), _store, _telemetry, _catalog, RecordModelCalls);
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

    /// <summary>Deletes a session; returns whether it existed.</summary>
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _store.DeleteAsync(sessionId, cancellationToken);

    /// <summary>Finds messages by their text, across sessions.</summary>
    public Task<IReadOnlyList<SearchHit>> SearchAsync(string text, int limit = 20, CancellationToken cancellationToken = default) =>
        _store.SearchAsync(text, limit, cancellationToken);

    /// <summary>Exports a session as JSON: its metadata and its messages at full fidelity.</summary>
    public async Task<string> ExportJsonAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ChatSession session = await ResumeAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return SessionExport.ToJson(session.Record, session.Messages);
    }

    /// <summary>Exports a session as Markdown, for people: one section per message, tool calls and results as code blocks.</summary>
    public async Task<string> ExportMarkdownAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ChatSession session = await ResumeAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return SessionExport.ToMarkdown(session.Record, session.Messages);
    }
}
