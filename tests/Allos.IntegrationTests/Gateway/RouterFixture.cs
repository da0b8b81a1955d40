using Allos.Gateway;
using Allos.Providers;

namespace Allos.IntegrationTests.Gateway;

/// <summary>Fake provider servers, one per deployment, and helpers to point Router deployments at them.</summary>
public sealed class RouterFixture : IAsyncDisposable
{
    private readonly List<FakeProviderServer> _servers = [];

    public static async Task<RouterFixture> StartAsync(int servers)
    {
        var fixture = new RouterFixture();
        for (int i = 0; i < servers; i++)
        {
            fixture._servers.Add(await FakeProviderServer.StartAsync());
        }

        return fixture;
    }

    public FakeProviderServer this[int index] => _servers[index];

    /// <summary>A registry that reads no environment, so tests never see a developer's real keys or base URLs.</summary>
    public static ProviderRegistry Providers { get; } = new(_ => null);

    public Deployment Deployment(int server, string model = "openai/gpt-4o-mini", string? name = null) => new(model)
    {
        Name = name ?? $"server{server}",
        ApiKey = "sk-test",
        Endpoint = _servers[server].EndpointFor(model[..model.IndexOf('/', StringComparison.Ordinal)]),
    };

    public static RouterOptions Options(params ModelGroup[] groups)
    {
        var options = new RouterOptions
        {
            Providers = Providers,
            RetryDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        };
        foreach (ModelGroup group in groups)
        {
            options.Groups.Add(group);
        }

        return options;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (FakeProviderServer server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
