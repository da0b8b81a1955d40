using System.Globalization;
using Allos.Storage;
using Allos.Storage.Sqlite;
using Microsoft.Extensions.AI;

// turns <db> <session> <run>: appends turns forever inside a run marked running, reporting each committed turn on stdout
//   (the test kills the process mid-run).
// concurrent <db> <session> <seconds>: appends turns and records model calls for a while, then prints "done <turns>";
//   any failure (such as "database is locked") prints "error: ..." and exits 1.
if (args is not [var mode, var path, var sessionId, var last])
{
    Console.Error.WriteLine("usage: turns <db> <session> <run> | concurrent <db> <session> <seconds>");
    return 2;
}

try
{
    await using SqliteStore store = await SqliteStore.OpenAsync(path);
    if (await store.Sessions.GetAsync(sessionId) is null)
    {
        await store.Sessions.CreateAsync(new SessionRecord { Id = sessionId, Title = mode, Agent = "crash-host" });
    }

    string runId = mode == "turns" ? last : $"run-{Environment.ProcessId}";
    await store.Sessions.MarkRunAsync(sessionId, runId, RunMark.Running);
    TimeSpan duration = mode == "concurrent" ? TimeSpan.FromSeconds(double.Parse(last, CultureInfo.InvariantCulture)) : Timeout.InfiniteTimeSpan;
    DateTime end = duration == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + duration;

    int turn = 0;
    while (DateTime.UtcNow < end)
    {
        turn++;
        await store.Sessions.AppendMessagesAsync(sessionId, Turn(turn), new TurnMetadata { RunId = runId, InputTokens = 10, OutputTokens = 5, Cost = 0.001m });
        store.Telemetry.RecordModelCall(new ModelCallRecord
        {
            Time = DateTimeOffset.UtcNow, SessionId = sessionId, RunId = runId, Provider = "fake", Model = "crash", InputTokens = 10, OutputTokens = 5,
        });

        // Reported only after the commit returned: every reported turn must be found after the kill.
        Console.Out.WriteLine($"turn {turn}");
        Console.Out.Flush();
    }

    await store.Telemetry.FlushAsync();
    await store.Sessions.MarkRunAsync(sessionId, runId, RunMark.Completed);
    Console.Out.WriteLine($"done {turn}");
    return 0;
}
catch (Exception e)
{
    Console.Out.WriteLine($"error: {e.GetType().Name}: {e.Message}");
    return 1;
}

static ChatMessage[] Turn(int turn) =>
[
    new(ChatRole.User, $"question {turn}"),
    new(ChatRole.Assistant, [new FunctionCallContent($"call-{turn}", "add", new Dictionary<string, object?> { ["a"] = turn, ["b"] = 1 })]),
    new(ChatRole.Tool, [new FunctionResultContent($"call-{turn}", turn + 1)]),
    new(ChatRole.Assistant, $"answer {turn}"),
];
