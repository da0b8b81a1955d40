using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Allos.Bench.Gateway;

/// <summary>
/// The least any .NET proxy does: <c>POST /v1/chat/completions</c>'s bytes go to <c>--upstream</c> with one shared
/// <see cref="HttpClient"/>, and the answer's status, content type and bytes come back, flushed after every read so SSE
/// frames are not held. No parsing, no auth, no routing.
/// </summary>
internal static class PassThroughFloor
{
    public static async Task<int> RunAsync(BenchArguments args)
    {
        var upstream = new Uri(args.String("upstream").TrimEnd('/') + "/v1/chat/completions");
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        WebApplication app = BenchServer.Create(args.Int("port", 0));
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new StreamContent(context.Request.Body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
            if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
            }

            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            if (response.Content.Headers.ContentLength is long length)
            {
                context.Response.ContentLength = length;
            }

            await using Stream source = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        });

        await app.StartAsync();
        Console.WriteLine($"floor listening on {app.Urls.First()}");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
