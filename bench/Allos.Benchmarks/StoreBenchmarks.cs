using System.Text.Json;
using Allos.Storage;
using Allos.Storage.Sqlite;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// The SQLite store on a real file in a temporary folder: telemetry write throughput through the batched background
/// writer (enqueue + flush, so the figure is rows actually committed), and loading a 1,000-message session.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Rows = 10_000;
    private const int SessionMessages = 1_000;

    private string _folder = null!;
    private SqliteStore _store = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _folder = Directory.CreateTempSubdirectory("allos-bench-store-").FullName;
        _store = await SqliteStore.OpenAsync(_folder);
        await _store.Sessions.CreateAsync(new SessionRecord { Id = "long", Title = "1,000 messages" });

        // 250 turns of four messages each, like an agent's: question, tool call, tool result, answer.
        for (int turn = 0; turn < SessionMessages / 4; turn++)
        {
            ChatMessage[] messages =
            [
                new(ChatRole.User, $"Question {turn}: how many files under src/ mention the word 'retry'? Please list them."),
                new(ChatRole.Assistant, [new FunctionCallContent($"call_{turn}", "grep", new Dictionary<string, object?> { ["pattern"] = "retry", ["path"] = "src/" })]),
                new(ChatRole.Tool, [new FunctionResultContent($"call_{turn}", JsonDocument.Parse("""{"matches":["src/a.cs:12","src/b.cs:40","src/c.cs:7"]}""").RootElement)]),
                new(ChatRole.Assistant, $"Answer {turn}: three files mention it — a.cs, b.cs and c.cs. " + new string('x', 200)),
            ];
            await _store.Sessions.AppendMessagesAsync("long", messages, new TurnMetadata { InputTokens = 500, OutputTokens = 80, Cost = 0.0012m });
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>10,000 model-call rows enqueued then flushed; the figure per operation is per row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task ModelCallRowWrite()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        for (int i = 0; i < Rows; i++)
        {
            _store.Telemetry.RecordModelCall(new ModelCallRecord
            {
                Time = now,
                SessionId = "long",
                RunId = "run-1",
                Provider = "openai",
                Model = "gpt-4o-mini",
                LatencyMs = 420.5,
                InputTokens = 1200,
                OutputTokens = 150,
                CachedInputTokens = 1024,
                ReasoningTokens = 0,
                Cost = 0.000267m,
            });
        }

        await _store.Telemetry.FlushAsync();
    }

    /// <summary>Reads and deserializes a 1,000-message session (text, tool calls, tool results).</summary>
    [Benchmark]
    public async Task<int> LoadSession1000Messages() => (await _store.Sessions.GetMessagesAsync("long")).Count;
}
