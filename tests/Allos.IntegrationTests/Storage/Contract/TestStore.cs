using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>An open store of either kind, as the contract tests use it.</summary>
public sealed class TestStore(ISessionStore sessions, ITelemetryStore telemetry, IKeyStore keys, Func<ValueTask> dispose) : IAsyncDisposable
{
    public ISessionStore Sessions { get; } = sessions;

    public ITelemetryStore Telemetry { get; } = telemetry;

    public IKeyStore Keys { get; } = keys;

    public ValueTask DisposeAsync() => dispose();
}
