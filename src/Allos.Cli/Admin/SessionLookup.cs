using Allos.Storage;

namespace Allos.Cli.Admin;

/// <summary>
/// Finds a session by what a person typed: its whole id, or the start of one that no other session shares; and gives
/// each id the short form shown in lists (the first 8 characters, more where another id starts the same).
/// </summary>
internal static class SessionLookup
{
    /// <summary>The shortest prefix shown; ids are random from their first character, so 8 almost always tell them apart.</summary>
    public const int ShortLength = 8;

    /// <summary>At most this many candidates are named when a prefix is ambiguous.</summary>
    private const int MaxCandidates = 5;

    /// <summary>Finds the session named by <paramref name="text"/>: an exact id first, else a unique prefix.</summary>
    public static async Task<SessionMatch> FindAsync(ISessionStore store, string text, CancellationToken cancellationToken)
    {
        string id = text.Trim();
        if (id.Length == 0)
        {
            return new SessionMatch(null, []);
        }

        if (await store.GetAsync(id, cancellationToken) is { } exact)
        {
            return new SessionMatch(exact, [exact]);
        }

        IReadOnlyList<SessionRecord> candidates = await store.ListAsync(new SessionQuery { IdPrefix = id, Limit = MaxCandidates + 1 }, cancellationToken);
        return new SessionMatch(candidates.Count == 1 ? candidates[0] : null, candidates);
    }

    /// <summary>Gets the short form of one id: the shortest prefix (at least <see cref="ShortLength"/>) no other session starts with.</summary>
    public static async Task<string> ShortIdAsync(ISessionStore store, string id, CancellationToken cancellationToken)
    {
        int length = Math.Min(ShortLength, id.Length);
        while (length < id.Length
            && (await store.ListAsync(new SessionQuery { IdPrefix = id[..length], Limit = 2 }, cancellationToken)).Count > 1)
        {
            length++;
        }

        return id[..length];
    }

    /// <summary>
    /// Gets the short form of an id for a closing line (<c>run</c>, leaving a chat): the whole id when the store cannot
    /// be read, since the line must never turn a finished run into a failed one.
    /// </summary>
    public static async Task<string> ShortIdOrWholeAsync(ISessionStore store, string id)
    {
        try
        {
            return await ShortIdAsync(store, id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or AllosException or IOException)
        {
            return id;
        }
    }

    /// <summary>Gets the short form of each of <paramref name="ids"/> among <paramref name="allIds"/>.</summary>
    public static Dictionary<string, string> ShortIds(IEnumerable<string> ids, IReadOnlyCollection<string> allIds)
    {
        var shortIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            int length = Math.Min(ShortLength, id.Length);
            while (length < id.Length && allIds.Any(other => other != id && other.StartsWith(id[..length], StringComparison.OrdinalIgnoreCase)))
            {
                length++;
            }

            shortIds[id] = id[..length];
        }

        return shortIds;
    }

    /// <summary>Says why <paramref name="match"/> found no session, in the words of <c>allos sessions</c>.</summary>
    public static string NotFound(SessionMatch match, string text) => match.Candidates.Count > 1
        ? $"'{text}' starts more than one session id: {string.Join(", ", match.Candidates.Take(MaxCandidates).Select(session => session.Id))}{(match.Candidates.Count > MaxCandidates ? ", …" : "")}; type more of the id."
        : $"no session {text}; `allos sessions list` shows them.";
}

/// <summary>What <see cref="SessionLookup.FindAsync"/> found.</summary>
/// <param name="Session">The one session named, or <see langword="null"/>.</param>
/// <param name="Candidates">The sessions whose id starts with the text (more than one: the text is ambiguous).</param>
internal sealed record SessionMatch(SessionRecord? Session, IReadOnlyList<SessionRecord> Candidates)
{
    public bool IsAmbiguous => Session is null && Candidates.Count > 1;
}
