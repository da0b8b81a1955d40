using Allos.Configuration;
using Allos.IntegrationTests.Cli;
using Allos.Storage;
using Allos.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>
/// <c>store: postgres://…</c> in allos.yaml, or <c>ALLOS_DATABASE_URL</c>, chooses PostgreSQL for the CLI and the library's
/// services; SQLite stays the default; a bad server is an error naming the host, never the password.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSelectionTests(PostgresServer server) : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>A fresh database holding one session titled <paramref name="title"/>; returns its postgres:// URL and the session id.</summary>
    private async Task<(string Url, string Session)> SeedAsync(string title)
    {
        var builder = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("selection"));
        string url = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        await using PostgresStore store = await PostgresStore.OpenAsync(url);
        SessionRecord session = await store.Sessions.CreateAsync(new SessionRecord { Title = title });
        await store.Sessions.AppendMessagesAsync(session.Id, [new ChatMessage(ChatRole.User, title + " question")]);
        return (url, session.Id);
    }

    [Fact]
    public async Task Cli_DatabaseUrlVariable_ListsTheSessionsInPostgresAndCreatesNoSqliteFile()
    {
        (string url, string session) = await SeedAsync("pelican");
        _cli.Environment[AllosStore.DatabaseUrlVariable] = url;

        CliResult result = await _cli.RunAsync("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(session[..8]);
        Directory.EnumerateFiles(_cli.Home, "*.db", SearchOption.AllDirectories).ShouldBeEmpty();
        (await _cli.RunAsync("sessions", "search", "pelican")).Stdout.ShouldContain(session[..8]);
    }

    [Fact]
    public async Task Cli_StoreInAllosYaml_ChoosesPostgres()
    {
        (string url, string session) = await SeedAsync("walrus");
        await File.WriteAllTextAsync(Path.Combine(_cli.Workspace, "allos.yaml"), $"store: {url}\n");

        CliResult result = await _cli.RunAsync("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(session[..8]);
    }

    [Fact]
    public async Task Cli_UnreachableServer_FailsNamingTheHostNeverThePassword()
    {
        _cli.Environment[AllosStore.DatabaseUrlVariable] = "postgres://allos:hunter2secret@127.0.0.1:1/allos";

        CliResult result = await _cli.RunAsync("sessions", "list");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Stderr.ShouldContain("127.0.0.1:1/allos");
        (result.Stdout + result.Stderr).ShouldNotContain("hunter2secret");
    }

    [Fact]
    public async Task AddAllos_StorePostgres_SessionsAndTelemetryGoToPostgres()
    {
        (string url, _) = await SeedAsync("otter");
        IServiceCollection services = new ServiceCollection().AddAllos(options => options.Store = url);
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            ISessionStore sessions = provider.GetRequiredService<ISessionStore>();
            (await sessions.SearchAsync("otter")).ShouldHaveSingleItem();
            await sessions.CreateAsync(new SessionRecord { Id = "from-di" });
            ITelemetryStore telemetry = provider.GetRequiredService<ITelemetryStore>();
            telemetry.RecordModelCall(new ModelCallRecord { Time = DateTimeOffset.UtcNow, Provider = "p", Model = "m", Cost = 0.5m });
            await telemetry.FlushAsync();
        }

        await using PostgresStore store = await PostgresStore.OpenAsync(url);
        (await store.Sessions.GetAsync("from-di")).ShouldNotBeNull();
        (await store.Telemetry.StatsAsync(StatsGrouping.Model)).ShouldHaveSingleItem().Cost.ShouldBe(0.5m);
    }

    [Fact]
    public async Task Cli_ConfigShow_PostgresCache_NamesTheServerNeverThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("show"));
        string url = $"postgres://{builder.Username}:hunter2secret@{builder.Host}:{builder.Port}/{builder.Database}";
        await File.WriteAllTextAsync(Path.Combine(_cli.Workspace, "allos.yaml"), $"store: {url}\nrouter:\n  cache: {{ type: postgres, ttl: 10m }}\n");

        CliResult result = await _cli.RunAsync("config", "show");

        result.Stdout.ShouldContain($"postgres {builder.Host}:{builder.Port}/{builder.Database}, ttl 10m", customMessage: result.ToString());
        (result.Stdout + result.Stderr).ShouldNotContain("hunter2secret");
    }

    [Fact]
    public async Task OpenAsync_Configure_SetsThePostgresOptionsBeforeOpening_AndIsNotCalledForSqlite()
    {
        var builder = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("configure"));
        string url = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        string? seen = null;
        await using (AllosStore store = await AllosStore.OpenAsync(url, options => seen = options.ConnectionString))
        {
            store.IsPostgres.ShouldBeTrue();
        }

        seen.ShouldBe(url);

        // Options the hook makes invalid are caught before connecting, as the typed store error.
        StoreUnavailableException invalid = await Should.ThrowAsync<StoreUnavailableException>(
            () => AllosStore.OpenAsync(url, options => options.InstanceTimeout = options.InstanceHeartbeat));
        invalid.Message.ShouldContain(nameof(PostgresStoreOptions.InstanceTimeout));

        using var file = new TempDatabase();
        await using AllosStore sqlite = await AllosStore.OpenAsync(file.Path, _ => throw new InvalidOperationException("configure is for PostgreSQL only"));
        sqlite.IsPostgres.ShouldBeFalse();
    }

    [Fact]
    public void Load_StoreKey_IsReadFromAllosYaml()
    {
        AllosOptions options = AllosConfiguration.LoadYaml("store: postgres://allos@db:5432/allos\n");

        options.Store.ShouldBe("postgres://allos@db:5432/allos");
        AllosStore.IsPostgresSetting(options.Store).ShouldBeTrue();
        AllosStore.IsPostgresSetting("Host=db;Database=allos").ShouldBeTrue();
        AllosStore.IsPostgresSetting("/home/me/allos.db").ShouldBeFalse();
        AllosStore.IsPostgresSetting(null).ShouldBeFalse();
    }
}
