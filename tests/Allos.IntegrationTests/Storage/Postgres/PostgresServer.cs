using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Allos.IntegrationTests.Storage.Postgres;

/// <summary>
/// A private PostgreSQL server for the test run: <c>initdb</c> into a temporary folder, listening on 127.0.0.1 on a free
/// port, <c>fsync=off</c>; stopped and deleted on dispose. Tests get a fresh database each from <see cref="CreateDatabaseAsync"/>.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, so under root (CI containers) the server runs as the <c>postgres</c> user Debian's
/// package creates (or <c>nobody</c>). When the binaries are missing every test using the server fails and says so.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Missing =
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package (.ci/run does)";

    private const string Superuser = "allos";
    private string? _folder;
    private string? _data;
    private string? _pgCtl;
    private string? _runAs;
    private string? _settings;
    private Exception? _failure;
    private int _databases;

    /// <summary>Gets the port the server listens on.</summary>
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch (Exception ex)
        {
            // Reported by every test that asks for a database, with the reason, rather than as one opaque fixture error.
            _failure = ex;
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it (trust authentication, no password).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException(_failure.Message, _failure);
        }

        string name = $"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database, Pooling = true }.ToString();

    /// <summary>
    /// Stops the server as an administrator's restart would (fast shutdown: clients' connections are closed). Only for a
    /// server of the test's own: stopping the shared one would fail the other tests.
    /// </summary>
    public Task StopAsync() => RunAsync(_pgCtl!, ["stop", "-D", _data!, "-m", "fast", "-w"]);

    /// <summary>Starts the server <see cref="StopAsync"/> stopped, on the same port with the same data.</summary>
    public Task StartAgainAsync() => StartServerAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_pgCtl is not null && _data is not null && File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            await RunAsync(_pgCtl, ["stop", "-D", _data, "-m", "immediate", "-w"], allowFailure: true);
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A server that would not stop keeps files open; the temporary folder is left behind.
            }
        }
    }

    private async Task StartAsync()
    {
        string initdb = Find("initdb") ?? throw new InvalidOperationException(Missing);
        _pgCtl = Find("pg_ctl") ?? throw new InvalidOperationException(Missing);
        _runAs = Environment.UserName == "root" || GetUid() == 0 ? OrdinaryUser() : null;

        _folder = Directory.CreateTempSubdirectory("allos-pg-").FullName;
        _data = Path.Combine(_folder, "data");
        string socket = Path.Combine(_folder, "socket");
        Directory.CreateDirectory(socket);
        if (_runAs is not null)
        {
            await RunAsync("chown", ["-R", _runAs, _folder], runAs: false);
        }

        await RunAsync(initdb, ["-D", _data, "-U", Superuser, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);

        // A free port can be taken between choosing and binding it; try a few.
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _settings = $"-c listen_addresses=127.0.0.1 -p {Port} -k {socket} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            try
            {
                await StartServerAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
            }
        }
    }

    private Task StartServerAsync() =>
        RunAsync(_pgCtl!, ["start", "-D", _data!, "-w", "-t", "30", "-l", Path.Combine(_folder!, "server.log"), "-o", _settings!]);

    private static string? Find(string name)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // Debian installs the server binaries per major version, outside PATH; the newest wins.
        const string Debian = "/usr/lib/postgresql";
        return Directory.Exists(Debian)
            ? Directory.GetDirectories(Debian)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int major) ? major : 0)
                .Select(d => Path.Combine(d, "bin", name))
                .FirstOrDefault(File.Exists)
            : null;
    }

    private static string OrdinaryUser()
    {
        string passwd = File.Exists("/etc/passwd") ? File.ReadAllText("/etc/passwd") : "";
        return passwd.Split('\n').Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";
    }

    private static uint GetUid()
    {
        // /proc/self/status has "Uid: real effective saved fs".
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) : null;
        return line is not null && uint.TryParse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], out uint uid) ? uid : uint.MaxValue;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsync(string file, string[] arguments, bool allowFailure = false) => RunAsync(file, arguments, runAs: true, allowFailure);

    private async Task RunAsync(string file, string[] arguments, bool runAs, bool allowFailure = false)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder ?? Path.GetTempPath(),
        };
        if (runAs && _runAs is not null)
        {
            start.FileName = "runuser";
            foreach (string argument in (string[])["-u", _runAs, "--", file])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = file;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && !allowFailure)
        {
            string log = _folder is not null && File.Exists(Path.Combine(_folder, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_folder, "server.log")) : "";
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await output}{await error}{log}");
        }
    }
}
