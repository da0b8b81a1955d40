namespace Allos.IntegrationTests.Cli;

/// <summary>
/// What most CLI process tests start from: a fresh <see cref="CliProcess"/> (its own workspace and data folder) pointed
/// at a fresh OpenAI-format fake server.
/// </summary>
public abstract class FakeServerCliTests : IAsyncLifetime
{
    protected CliProcess Cli { get; } = new();

    protected FakeProviderServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeProviderServer.StartAsync();
        Cli.UseFakeServer(Server, "openai");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Cli.Dispose();
    }
}
