namespace Allos.Gateway;

/// <summary>
/// Cooldowns shared by every Router serving the same configuration (gateway instances on one PostgreSQL database): a
/// deployment one process cools down is skipped by the others too, instead of each paying the failures to find out.
/// </summary>
/// <remarks>
/// A deployment is named by its key, <c>&lt;group alias&gt;/&lt;deployment name&gt;</c> (see
/// <see cref="DeploymentState.SharedKey"/>), the same in every process that reads the same configuration. Cooldown ends are
/// absolute UTC times: processes on different hosts need clocks in step (NTP) to agree on them.
/// Implementations are thread-safe.
/// </remarks>
internal interface ISharedCooldowns
{
    /// <summary>Tells the other processes that <paramref name="deployment"/> is cooled down until <paramref name="until"/>.</summary>
    /// <remarks>Called on the request path when a failure starts a cooldown: must return at once and never throw (the write is best-effort).</remarks>
    void Publish(string deployment, DateTimeOffset until);

    /// <summary>
    /// Calls <paramref name="handler"/> with each cooldown any process publishes (this one's included), and with those still
    /// running when subscribing and whenever notifications may have been missed. Dispose the result to stop.
    /// </summary>
    /// <remarks>The handler must return quickly and not block: it runs on the implementation's notification loop.</remarks>
    IDisposable Subscribe(Action<SharedCooldown> handler);
}
