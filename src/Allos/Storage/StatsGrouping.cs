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
}
