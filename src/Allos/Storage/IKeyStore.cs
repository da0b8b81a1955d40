namespace Allos.Storage;

/// <summary>
/// The gateway's virtual keys, stored by their hash, and the users and teams they belong to: created, read, changed,
/// deleted, and charged.
/// </summary>
/// <remarks>
/// Implementations never see a key, only its SHA-256 hash (<see cref="VirtualKey.Hash"/>). Safe to use from several threads.
/// </remarks>
public interface IKeyStore
{
    /// <summary>Stores a new key.</summary>
    /// <exception cref="InvalidOperationException">A key with the same hash or alias exists.</exception>
    Task CreateAsync(VirtualKey key, CancellationToken cancellationToken = default);

    /// <summary>Gets a key by its hash, or <see langword="null"/> when there is none.</summary>
    Task<VirtualKey?> GetAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Gets the keys, newest first, optionally only those of one user or team (or both).</summary>
    Task<IReadOnlyList<VirtualKey>> ListAsync(string? userId = null, string? teamId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a key's alias, models, limits, budget, expiry, owner, metadata and blocked flag with <paramref name="key"/>'s;
    /// its hash, creation time and spend are kept (spend changes only through <see cref="AddSpendAsync"/> and <see cref="ResetSpendAsync"/>).
    /// </summary>
    /// <returns><see langword="false"/> when no key has that hash.</returns>
    /// <exception cref="InvalidOperationException">Another key has the same alias.</exception>
    Task<bool> UpdateAsync(VirtualKey key, CancellationToken cancellationToken = default);

    /// <summary>Deletes keys by hash; hashes of no key are ignored.</summary>
    /// <returns>The hashes of the keys deleted.</returns>
    Task<IReadOnlyList<string>> DeleteAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="amount"/> US dollars to a key's spend (nothing when the key is gone).</summary>
    Task AddSpendAsync(string hash, decimal amount, CancellationToken cancellationToken = default);

    /// <summary>Sets a key's spend to zero and its next reset to <paramref name="nextReset"/>: a new budget period.</summary>
    Task ResetSpendAsync(string hash, DateTimeOffset? nextReset, CancellationToken cancellationToken = default);

    /// <summary>Stores a new user or team.</summary>
    /// <exception cref="InvalidOperationException">An account of the same kind and id exists.</exception>
    Task CreateOwnerAsync(KeyOwner account, CancellationToken cancellationToken = default);

    /// <summary>Gets a user or team by its id, or <see langword="null"/> when there is none.</summary>
    Task<KeyOwner?> GetOwnerAsync(KeyOwnerKind kind, string id, CancellationToken cancellationToken = default);

    /// <summary>Gets the users or the teams, newest first.</summary>
    Task<IReadOnlyList<KeyOwner>> ListOwnersAsync(KeyOwnerKind kind, CancellationToken cancellationToken = default);

    /// <summary>Replaces an account's alias, models, limits, budget, metadata and blocked flag; its id, creation time and spend are kept.</summary>
    /// <returns><see langword="false"/> when there is no such account.</returns>
    Task<bool> UpdateOwnerAsync(KeyOwner account, CancellationToken cancellationToken = default);

    /// <summary>Deletes users or teams by id; ids of no account are ignored. Their keys are not deleted here.</summary>
    /// <returns>The ids of the accounts deleted.</returns>
    Task<IReadOnlyList<string>> DeleteOwnersAsync(KeyOwnerKind kind, IEnumerable<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="amount"/> US dollars to an account's spend (nothing when it is gone).</summary>
    Task AddOwnerSpendAsync(KeyOwnerKind kind, string id, decimal amount, CancellationToken cancellationToken = default);

    /// <summary>Sets an account's spend to zero and its next reset to <paramref name="nextReset"/>: a new budget period.</summary>
    Task ResetOwnerSpendAsync(KeyOwnerKind kind, string id, DateTimeOffset? nextReset, CancellationToken cancellationToken = default);
}
