namespace Allos.Configuration;

/// <summary>The gateway server's section of allos.yaml (<c>gateway:</c>): where it listens and which models it serves.</summary>
public sealed class GatewaySettings
{
    /// <summary>Gets or sets <c>gateway.host</c>, the address to listen on. Default: <see langword="null"/> (the server's own default, 127.0.0.1).</summary>
    public string? Host { get; set; }

    /// <summary>Gets or sets <c>gateway.port</c>. Default: <see langword="null"/> (the server's own default, 4000).</summary>
    public int? Port { get; set; }

    /// <summary>
    /// Gets <c>gateway.models</c>: the <c>provider/model</c> ids the server serves besides the aliases, as exact ids or
    /// patterns ending in <c>*</c> (<c>openai/*</c>, <c>anthropic/claude-*</c>, <c>*</c>). Default: empty, which means every
    /// model of a provider whose credentials are set.
    /// </summary>
    public IList<string> Models { get; } = [];

    /// <summary>
    /// Gets or sets <c>gateway.master_key</c>, the key that guards the key admin API (<c>ALLOS_MASTER_KEY</c> wins when set).
    /// Default: <see langword="null"/> (none: loopback only, no keys needed).
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>Gets or sets <c>gateway.metrics</c>: whether <c>GET /metrics</c> serves Prometheus text. Default: <see langword="null"/> (on).</summary>
    public bool? Metrics { get; set; }

    /// <summary>
    /// Gets or sets <c>gateway.spend_log</c>: whether each request is written to the spend log (<c>GET /spend/logs</c>,
    /// <c>allos stats</c>). Default: <see langword="null"/> (on). Budgets on keys, users and teams are kept either way.
    /// </summary>
    public bool? SpendLog { get; set; }

    /// <summary>
    /// Gets or sets <c>gateway.otlp_endpoint</c>: the OTLP/HTTP collector traces and metrics are exported to
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> does the same). Default: <see langword="null"/> (no export).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>
    /// Gets or sets <c>gateway.instance_heartbeat</c>: how often this instance records in a shared PostgreSQL store that it
    /// is alive (see <see cref="Storage.Postgres.PostgresStoreOptions.InstanceHeartbeat"/>). Default: <see langword="null"/>
    /// (5 seconds). Ignored for SQLite.
    /// </summary>
    public TimeSpan? InstanceHeartbeat { get; set; }

    /// <summary>
    /// Gets or sets <c>gateway.instance_timeout</c>: how long an instance may miss its heartbeat before the others reclaim its
    /// reservations (see <see cref="Storage.Postgres.PostgresStoreOptions.InstanceTimeout"/>); longer than the heartbeat.
    /// Default: <see langword="null"/> (30 seconds). Ignored for SQLite.
    /// </summary>
    public TimeSpan? InstanceTimeout { get; set; }
}
