namespace Allos.Storage;

/// <summary>How <see cref="ITelemetryStore.StatsAsync"/> groups model calls.</summary>
public enum StatsGrouping
{
    /// <summary>By provider and model (<c>provider/model</c>).</summary>
    Model,

    /// <summary>By provider.</summary>
    Provider,

    /// <summary>By UTC day (<c>yyyy-MM-dd</c>).</summary>
    Day,

    /// <summary>By session id (calls without a session are grouped under an empty key).</summary>
    Session,

    /// <summary>By the alias (model group or model id) asked of the Router (calls without one are grouped under an empty key).</summary>
    Alias,

    /// <summary>By the deployment that served the call (calls without one, such as cache hits, are grouped under an empty key).</summary>
    Deployment,

    /// <summary>By user key (calls without one are grouped under an empty key).</summary>
    User,

    /// <summary>By the prompt template the call came from, as <c>name@version</c> (calls without one are grouped under an empty key).</summary>
    Prompt,

    /// <summary>
    /// By the gateway key the call came with: its alias, else the first 12 hex digits of its hash (calls without a key are
    /// grouped under an empty key).
    /// </summary>
    Key,

    /// <summary>By the team of the gateway key the call came with (calls without one are grouped under an empty key).</summary>
    Team,
}
