using System.Diagnostics;
using Allos.Storage;
using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.Storage;

/// <summary>
/// The store across processes: a child process (tests/Allos.StoreCrashHost) killed mid-run, and two processes writing
/// to one file at once.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private static string HostPath()
    {
        // The host is built beside this project (a ProjectReference without the assembly): same configuration and framework.
        string separator = Path.DirectorySeparatorChar.ToString();
        string ours = $"{separator}Allos.IntegrationTests{separator}bin{separator}";
        string theirs = $"{separator}Allos.StoreCrashHost{separator}bin{separator}";
        string path = Path.Combine(AppContext.BaseDirectory.Replace(ours, theirs, StringComparison.Ordinal), "Allos.StoreCrashHost.dll");
        File.Exists(path).ShouldBeTrue($"The crash host is not built at {path}.");
        return path;
    }

    private static Process StartHost(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HostPath());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The crash host did not start.");
    }

    [Fact]
    public async Task OpenAsync_AfterChildKilledMidRun_FileIntactReportedTurnsPresentRunIncomplete()
    {
        const int Reported = 25;
        // The file exists before the child starts, so the child's open is the usual case (not a first creation).
        await using (SqliteStore setup = await _database.OpenAsync())
        {
            await setup.Sessions.CreateAsync(new SessionRecord { Id = "crash" });
        }

        using Process host = StartHost("turns", _database.Path, "crash", "run-crash");
        int lastReported = 0;
        using (var timeout = new CancellationTokenSource(StartupTimeout))
        {
            while (lastReported < Reported)
            {
                string? line = await host.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The host exited early: {await host.StandardError.ReadToEndAsync()}");
                line.ShouldStartWith("turn ");
                lastReported = int.Parse(line["turn ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync();

        _database.Scalar("PRAGMA integrity_check").ShouldBe("ok");
        await using SqliteStore store = await _database.OpenAsync();
        IReadOnlyList<StoredMessage> messages = await store.Sessions.GetMessagesAsync("crash");

        // Every reported turn is there, whole: turns are atomic (4 messages each), so a partial one never shows.
        (messages.Count % 4).ShouldBe(0);
        (messages.Count / 4).ShouldBeGreaterThanOrEqualTo(lastReported);
        for (int turn = 1; turn <= lastReported; turn++)
        {
            messages[(turn * 4) - 1].Message.Text.ShouldBe($"answer {turn}");
            messages[(turn * 4) - 3].Message.Contents.OfType<FunctionCallContent>().Single().CallId.ShouldBe($"call-{turn}");
        }

        (await store.Sessions.GetRunAsync("run-crash"))!.Status.ShouldBe(RunMark.Incomplete);
        (await store.Sessions.GetAsync("crash"))!.InputTokens.ShouldBe(messages.Count / 4 * 10);
    }

    [Fact]
    public async Task AppendMessagesAsync_TwoProcessesWritingAtOnce_NoLockErrors()
    {
        const double Seconds = 4;
        await using SqliteStore store = await _database.OpenAsync();
        await store.Sessions.CreateAsync(new SessionRecord { Id = "here" });

        using Process host = StartHost("concurrent", _database.Path, "there", Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Task<string> hostOutput = host.StandardOutput.ReadToEndAsync();

        // Write while the child writes: wait for its first turn, then keep going until it is done.
        int turns = 0;
        var stopwatch = Stopwatch.StartNew();
        while (!host.HasExited && stopwatch.Elapsed < StartupTimeout)
        {
            await store.Sessions.AppendMessagesAsync("here", [new ChatMessage(ChatRole.User, $"q {turns}"), new ChatMessage(ChatRole.Assistant, $"a {turns}")]);
            store.Telemetry.RecordModelCall(new ModelCallRecord { Time = DateTimeOffset.UtcNow, SessionId = "here", Provider = "fake", Model = "here", Cost = 0.001m });
            _ = await store.Sessions.SearchAsync("answer");
            turns++;
        }

        await host.WaitForExitAsync();
        await store.Telemetry.FlushAsync();
        string output = await hostOutput;
        host.ExitCode.ShouldBe(0, output.Split('\n').LastOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) ?? "");
        string done = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        done.ShouldStartWith("done ");
        int theirs = int.Parse(done["done ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        theirs.ShouldBeGreaterThan(10);
        turns.ShouldBeGreaterThan(10);

        (await store.Sessions.GetMessagesAsync("there")).Count.ShouldBe(theirs * 4);
        (await store.Sessions.GetMessagesAsync("here")).Count.ShouldBe(turns * 2);
        IReadOnlyList<UsageStats> calls = await store.Telemetry.StatsAsync(StatsGrouping.Model);
        calls.Single(s => s.Key == "fake/crash").Calls.ShouldBe(theirs);
        calls.Single(s => s.Key == "fake/here").Calls.ShouldBe(turns);
        _database.Scalar("SELECT COUNT(*) FROM runs WHERE status = 'completed'").ShouldBe(1L);
    }
}
