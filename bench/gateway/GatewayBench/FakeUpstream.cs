using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Allos.Bench.Gateway;

/// <summary>
/// An OpenAI <c>/v1/chat/completions</c> upstream that answers as fast as it can: one fixed JSON body, or (for
/// <c>"stream":true</c>) <c>--chunks</c> SSE text chunks <c>--interval-ms</c> apart, then a finish chunk, a usage chunk and
/// <c>[DONE]</c>. The first text chunk goes out at once, so any time-to-first-token above the direct figure is the proxy's.
/// </summary>
internal static class FakeUpstream
{
    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1764547200,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! I am a fake upstream answering as fast as it can."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":14,"total_tokens":26}}""");

    private static readonly byte[] FirstChunk = Chunk("""{"role":"assistant","content":"Hello"}""", "null");
    private static readonly byte[] TextChunk = Chunk("""{"content":" token"}""", "null");
    private static readonly byte[] FinishChunk = Chunk("{}", "\"stop\"");

    private static readonly byte[] UsageAndDone = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":20,\"total_tokens\":32}}\n\ndata: [DONE]\n\n");

    private static readonly byte[] StreamTrue = "\"stream\":true"u8.ToArray();

    public static async Task<int> RunAsync(BenchArguments args)
    {
        int chunks = args.Int("chunks", 20);
        var interval = TimeSpan.FromMilliseconds(args.Int("interval-ms", 10));
        WebApplication app = BenchServer.Create(args.Int("port", 0));
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            // Read the whole body, as a real provider must before it answers; "stream":true is found in the bytes, not parsed.
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            bool stream = body.GetBuffer().AsSpan(0, (int)body.Length).IndexOf(StreamTrue) >= 0;
            if (!stream)
            {
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = Completion.Length;
                await context.Response.Body.WriteAsync(Completion, context.RequestAborted);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            using var timer = new PeriodicTimer(interval);
            for (int i = 0; i < chunks; i++)
            {
                if (i > 0)
                {
                    await timer.WaitForNextTickAsync(context.RequestAborted);
                }

                await context.Response.Body.WriteAsync(i == 0 ? FirstChunk : TextChunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            await context.Response.Body.WriteAsync(FinishChunk, context.RequestAborted);
            await context.Response.Body.WriteAsync(UsageAndDone, context.RequestAborted);
        });

        await app.StartAsync();
        Console.WriteLine($"upstream listening on {app.Urls.First()}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static byte[] Chunk(string delta, string finishReason) => Encoding.UTF8.GetBytes(
        $"data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1764547200,\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finishReason}}}]}}\n\n");
}
