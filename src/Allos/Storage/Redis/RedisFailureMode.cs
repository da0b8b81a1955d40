namespace Allos.Storage.Redis;

/// <summary>What the gateway does with a request while the Redis in front of its shared limits cannot be reached.</summary>
public enum RedisFailureMode
{
    /// <summary>
    /// Goes on with the limits in PostgreSQL alone (<c>fail_open</c>, the default): every limit is still enforced, from the
    /// database, at its cost per request. Calls Redis admitted that are still in flight are not counted there.
    /// </summary>
    FailOpen,

    /// <summary>Refuses the requests that have limits with a typed 503 (529 on <c>/v1/messages</c>) until Redis is back (<c>fail_closed</c>).</summary>
    FailClosed,
}
