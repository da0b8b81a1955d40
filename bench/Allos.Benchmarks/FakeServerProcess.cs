using System.Diagnostics;
using Allos.Testing;

namespace Allos.Benchmarks;

/// <summary>Runs, or starts and stops, the fake provider server in a separate process.</summary>
internal sealed class FakeServerProcess : IDisposable
{
    private readonly Process _process;

    private FakeServerProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The same answer for every request: about 60 tokens of text, 24 stream chunks, usage.</summary>
    public static FakeTurn Turn() => FakeTurn
        .Text("Paris is the capital of France. It sits on the Seine, has about two million inhabitants, and is known for the Louvre and the Eiffel Tower.")
        .WithUsage(42, 31);

    public static async Task<int> ServeAsync()
    {
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.FallbackTurn = Turn();
        server.RecordRequests = false;
        server.StreamEndDelay = TimeSpan.Zero;
        Console.WriteLine(server.BaseUri);
        await Console.In.ReadToEndAsync(); // until the parent closes our stdin
        return 0;
    }

    public static FakeServerProcess Start()
    {
        string assembly = typeof(FakeServerProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [assembly, "serve"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the fake server process.");
        string? line = process.StandardOutput.ReadLine();
        if (line is null || !Uri.TryCreate(line, UriKind.Absolute, out Uri? uri))
        {
            process.Kill();
            throw new InvalidOperationException($"The fake server process did not print its address (got '{line}').");
        }

        return new FakeServerProcess(process, uri);
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
