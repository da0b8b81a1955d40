namespace Allos.Storage;

/// <summary>What a <see cref="StoreChange"/> is about.</summary>
internal enum StoreChangeKind
{
    /// <summary>A virtual key was created, updated, reset or deleted; the id is its hash.</summary>
    Key,

    /// <summary>A user account was created, updated, reset or deleted; the id is the user's id.</summary>
    User,

    /// <summary>A team account was created, updated, reset or deleted; the id is the team's id.</summary>
    Team,

    /// <summary>A deployment was cooled down; the id is its key (see <c>ISharedCooldowns</c>), the payload its end in Unix milliseconds.</summary>
    Cooldown,

    /// <summary>Notifications may have been missed (the feed connected or reconnected): drop every cache built from the store.</summary>
    Resync,
}
