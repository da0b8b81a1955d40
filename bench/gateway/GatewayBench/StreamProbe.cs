using System.Diagnostics;

namespace Allos.Bench.Gateway;

/// <summary>
/// Reads one SSE answer as it arrives and times its text frames: the time to the first frame with non-empty
/// <c>"content"</c> (TTFT) and the largest gap between two such frames. Frames are split on the blank line that ends an
/// SSE event, so a proxy that re-frames the stream is timed the same way.
/// </summary>
internal static class StreamProbe
{
    private static readonly byte[] Content = "\"content\":\""u8.ToArray();

    public static async Task<(double TtftMs, double MaxGapMs, int Frames)> RunAsync(BenchTarget target, HttpClient client, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        using HttpRequestMessage request = target.Request(stream: true);
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{target.Name} answered {(int)response.StatusCode} to a stream");
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var pending = new List<byte>(4096);
        byte[] buffer = new byte[16 * 1024];
        double ttft = double.NaN, maxGap = 0;
        long last = 0;
        int frames = 0, read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            long now = Stopwatch.GetTimestamp();
            pending.AddRange(buffer.AsSpan(0, read));
            int end;
            while ((end = EventEnd(pending)) >= 0)
            {
                bool text = HasText(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending)[..end]);
                pending.RemoveRange(0, end);
                if (!text)
                {
                    continue;
                }

                frames++;
                if (frames == 1)
                {
                    ttft = Stopwatch.GetElapsedTime(start, now).TotalMilliseconds;
                }
                else
                {
                    maxGap = Math.Max(maxGap, Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                }

                last = now;
            }
        }

        return (ttft, maxGap, frames);
    }

    // The index just past the first "\n\n" (or "\r\n\r\n"), or -1 while the event is incomplete.
    private static int EventEnd(List<byte> pending)
    {
        ReadOnlySpan<byte> span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending);
        int lf = span.IndexOf("\n\n"u8);
        int crlf = span.IndexOf("\r\n\r\n"u8);
        return lf < 0 && crlf < 0 ? -1
            : crlf < 0 || (lf >= 0 && lf < crlf) ? lf + 2
            : crlf + 4;
    }

    private static bool HasText(ReadOnlySpan<byte> frame)
    {
        int at = frame.IndexOf(Content);
        return at >= 0 && at + Content.Length < frame.Length && frame[at + Content.Length] != (byte)'"';
    }
}
