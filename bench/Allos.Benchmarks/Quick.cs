using System.Diagnostics;

namespace Allos.Benchmarks;

/// <summary>A quick interleaved A/B of the stream benchmarks (minutes faster than BenchmarkDotNet, for development only).</summary>
internal static class Quick
{
    public static async Task RunAsync(string provider, int iterations)
    {
        var b = new SdkComparisonBenchmarks { Provider = provider };
        b.Setup();
        (string Name, Func<Task<int>> Run)[] cases = [("floor", b.StreamFloor), ("allos", b.StreamAllos), ("router", b.StreamRouter)];
        foreach ((string _, Func<Task<int>> run) in cases)
        {
            for (int i = 0; i < 500; i++)
            {
                await run();
            }
        }

        double[] times = new double[cases.Length];
        double[] allocs = new double[cases.Length];
        for (int round = 0; round < 5; round++)
        {
            for (int k = 0; k < cases.Length; k++)
            {
                long a0 = GC.GetTotalAllocatedBytes(true);
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < iterations; i++)
                {
                    await cases[k].Run();
                }

                sw.Stop();
                long a1 = GC.GetTotalAllocatedBytes(true);
                double us = sw.Elapsed.TotalMicroseconds / iterations;
                times[k] = round == 0 ? us : Math.Min(times[k], us);
                allocs[k] = (a1 - a0) / (double)iterations;
            }
        }

        for (int k = 0; k < cases.Length; k++)
        {
            Console.WriteLine($"{provider,-9} {cases[k].Name,-7} {times[k],8:F1} us ({times[k] / times[0],4:F2}x)  {allocs[k] / 1024,7:F1} KB ({allocs[k] / allocs[0],4:F2}x)");
        }

        b.Cleanup();
    }
}

internal static class Profile
{
    public static async Task RunAsync(string provider, double seconds)
    {
        var b = new SdkComparisonBenchmarks { Provider = provider };
        b.Setup();
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await b.StreamAllos();
            n++;
        }

        Console.WriteLine($"{n} streams, {sw.Elapsed.TotalMicroseconds / n:F1} us each");
        b.Cleanup();
    }
}

internal static class Sizes
{
    public static void Parse()
    {
        byte[] gemini = System.Text.Encoding.UTF8.GetBytes("""{"candidates":[{"content":{"parts":[{"text":"Paris is"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":12,"totalTokenCount":21,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},"modelVersion":"gemini-2.5-flash","responseId":"b36LacjwM668nsEP2tbsgQQ"}""");
        byte[] openai = System.Text.Encoding.UTF8.GetBytes("""{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Paris is"},"logprobs":null,"finish_reason":null}],"usage":null}""");
        var usage = new Allos.Providers.Gemini.GeminiUsageMetadata();
        for (int round = 0; round < 3; round++)
        {
            Time("gemini reader", () => Allos.Providers.Gemini.GeminiChunkReader.TryReadText(gemini, true, usage, out _, out _));
            Time("gemini floor", () => FloorDelta(gemini, "text"u8));
            Time("gemini tokens", () => AllTokens(gemini));
            Time("openai reader", () => Allos.Providers.OpenAI.OpenAIChunkReader.TryReadText(openai, out _));
            Time("openai floor", () => FloorDelta(openai, "content"u8));
            Time("openai tokens", () => AllTokens(openai));
        }
    }

    private static bool AllTokens(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        while (reader.Read())
        {
        }

        return true;
    }

    private static bool FloorDelta(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.ValueTextEquals(key) && reader.Read())
            {
                return reader.GetString() is not null;
            }
        }

        return false;
    }

    private static void Time(string name, Func<bool> run)
    {
        const int N = 500_000;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < N; i++)
        {
            run();
        }

        Console.WriteLine($"{name,-16} {sw.Elapsed.TotalNanoseconds / N,7:F0} ns");
    }

    public static void Run()
    {
        foreach (string text in new[] { "data: a\n", "data: a", "data: a\n\ndata: b", "event: e\ndata: a\r\n\r\n", "data: a\ndata: b\n\n", ": c\ndata\n\n", "data:\n\n", "event: x\n\n", "\uFEFFdata: bom\n\n", "data: a\rdata: b\r\r" })
        {
            var parser = System.Net.ServerSentEvents.SseParser.Create(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));
            Console.WriteLine($"{text.Replace("\n", "\\n").Replace("\r", "\\r"),-30} => {string.Join(" | ", parser.Enumerate().Select(i => $"[{i.EventType}] '{i.Data}'"))}");
        }

        Measure("ChatResponseUpdate()", () => new Microsoft.Extensions.AI.ChatResponseUpdate());
        Measure("TextContent", () => new Microsoft.Extensions.AI.TextContent("x"));
        Measure("List<AIContent>(1)+add", () => new List<Microsoft.Extensions.AI.AIContent>(1) { null! });
        Measure("update(role,text) ctor", () => new Microsoft.Extensions.AI.ChatResponseUpdate(Microsoft.Extensions.AI.ChatRole.Assistant, "x"));
        Measure("string 10 chars", () => new string('a', 10));
    }

    private static void Measure(string name, Func<object> make)
    {
        object[] keep = new object[10000];
        make();
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = make();
        }

        long a1 = GC.GetAllocatedBytesForCurrentThread();
        Console.WriteLine($"{name,-28} {(a1 - a0) / (double)keep.Length,6:F0} B");
        GC.KeepAlive(keep);
    }
}
