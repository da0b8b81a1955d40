using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Allos.IntegrationTests.Storage.Redis;

/// <summary>
/// A private Redis server for tests: <c>redis-server</c> on 127.0.0.1 and a free port, nothing saved to disk; killed on
/// dispose. <see cref="KillAsync"/> and <see cref="StartAgainAsync"/> take it away mid-run and bring it back empty, as a
/// crash and restart of an unpersisted Redis would.
/// </summary>
/// <remarks>When <c>redis-server</c> is missing, every test using the server fails and says what to install.</remarks>
public sealed class RedisServer : IAsyncLifetime
{
    public const string Missing = "redis-server not found: install Debian's redis-server package (.ci/run does)";

    private Process? _process;
    private Exception? _failure;
    private string? _binary;

    public int Port { get; private set; }

    /// <summary>Gets the server's URL, as <c>redis:</c> in allos.yaml takes it.</summary>
    public string Url
    {
        get
        {
            if (_failure is not null)
            {
                throw new InvalidOperationException(_failure.Message, _failure);
            }

            return $"redis://127.0.0.1:{Port}";
        }
    }

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        _ = server.Url; // Fails here, with the reason, when it could not start.
        return server;
    }

    public async Task InitializeAsync()
    {
        try
        {
            _binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
                ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, "redis-server")).FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException(Missing);
            Port = FreePort();
            await StartServerAsync();
        }
        catch (Exception ex)
        {
            _failure = ex;
        }
    }

    /// <summary>Kills the server (SIGKILL: no goodbye to its clients) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the server's process (SIGSTOP): its connections stay open, but nothing answers, as a hung Redis.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Starts the server again on the same port, empty.</summary>
    public Task StartAgainAsync() => StartServerAsync();

    public async Task DisposeAsync()
    {
        await KillAsync(); // SIGKILL ends a paused process too.
        _process?.Dispose();
    }

    private async Task StartServerAsync()
    {
        _process?.Dispose();
        var start = new ProcessStartInfo(_binary!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Path.GetTempPath(), "--protected-mode", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (!_process.HasExited)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port} (exit code {(_process.HasExited ? _process.ExitCode : null)}).");
    }

    private async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString()])!;
        await kill.WaitForExitAsync();
        kill.ExitCode.ShouldBe(0, $"kill -{signal} {_process.Id} failed");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
