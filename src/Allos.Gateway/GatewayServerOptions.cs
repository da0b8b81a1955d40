using Allos.Gateway.Server.Keys;
using Allos.Gateway.Server.Models;
using Allos.Storage;

namespace Allos.Gateway.Server;

/// <summary>What the gateway server serves and where it listens.</summary>
public sealed class GatewayServerOptions
{
    private KeyGate? _gate;
    private ServedModels? _served;

    /// <summary>Gets or sets the Router every request goes through: its aliases are the server's models.</summary>
    public required Router Router { get; set; }

    /// <summary>
    /// Gets the <c>provider/model</c> ids served besides the aliases: exact ids or patterns ending in <c>*</c> (<c>openai/*</c>).
    /// Default: empty, which allows every id and lists the models of each provider whose credentials are set.
    /// </summary>
    public IList<string> Models { get; } = [];

    /// <summary>Gets or sets the address to listen on. Default: <c>127.0.0.1</c> (loopback only).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Gets or sets the port to listen on; 0 picks a free one. Default: 4000.</summary>
    public int Port { get; set; } = 4000;

    /// <summary>Gets or sets how long in-flight requests and streams may run on after shutdown starts. Default: 30 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the master key: it guards the key admin API (<c>/key/...</c>) and works as a key without limits. With it set,
    /// every model request needs a key; without it, requests need none and the server listens on loopback only.
    /// Default: <see langword="null"/> (<c>allos serve</c> reads <c>ALLOS_MASTER_KEY</c> or <c>gateway.master_key</c>).
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>Gets or sets where virtual keys are stored. Default: <see langword="null"/> (only the master key works; <c>allos serve</c> uses the Allos database).</summary>
    public IKeyStore? Keys { get; set; }

    /// <summary>
    /// Gets or sets the spend log <c>GET /spend/logs</c> reads: the telemetry store the <see cref="Router"/> records calls in
    /// (<see cref="RouterOptions.Telemetry"/>). Default: <see langword="null"/> (<c>/spend/logs</c> answers 503; <c>allos serve</c>
    /// uses the Allos database).
    /// </summary>
    public ITelemetryStore? SpendLog { get; set; }

    /// <summary>Gets or sets the clock of key expiry, budget periods and rate limits. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets a value indicating whether <c>GET /metrics</c> serves the gateway's and the Router's metrics in
    /// Prometheus's text format (with a master key set, the scrape must send it). Default: <see langword="true"/>.
    /// </summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// Gets or sets the base URL of an OpenTelemetry collector (OTLP over HTTP/protobuf, <c>http://host:4318</c>) that traces
    /// and metrics are exported to. Default: <see langword="null"/>: exported only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
    /// set, with the exporter's standard variables (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Gets or sets how often metrics are pushed over OTLP. Default: <see langword="null"/> (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, else 60 seconds).</summary>
    public TimeSpan? OtlpExportInterval { get; set; }

    /// <summary>Gets the check every model request passes (created from these options on first use, when the endpoints are mapped).</summary>
    /// <remarks>
    /// Keys in a PostgreSQL store (<see cref="Allos.Storage.Postgres.PostgresStore.Keys"/>) bring the store's shared limits:
    /// every instance on that database then enforces one set of budgets and rate limits.
    /// </remarks>
    internal KeyGate Gate => LazyInitializer.EnsureInitialized(ref _gate, () =>
    {
        var postgres = Keys as Allos.Storage.Postgres.PostgresKeyStore;
        var gate = new KeyGate(Keys, MasterKey, TimeProvider, Router, Served, postgres?.SharedLimits());
        if (postgres?.Changes is { } changes)
        {
            gate.Watch(changes.Subscribe);
        }

        return gate;
    });

    /// <summary>Gets the models the server answers for, from <see cref="Router"/> and <see cref="Models"/> (created on first use, when the endpoints are mapped).</summary>
    internal ServedModels Served => LazyInitializer.EnsureInitialized(ref _served, () => new ServedModels(Router, Models));
}
