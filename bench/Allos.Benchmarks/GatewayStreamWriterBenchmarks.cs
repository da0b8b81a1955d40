using System.IO.Pipelines;
using Allos.Gateway.Server.OpenAI;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// The gateway's per-chunk cost of an OpenAI stream without the network: one answer of 20 text updates written as
/// <c>chat.completion.chunk</c> events (role chunk, 20 text chunks, finish, usage, <c>[DONE]</c>) into a pipe that is
/// drained after each answer, as Kestrel's response body is.
/// </summary>
[MemoryDiagnoser]
public class GatewayStreamWriterBenchmarks
{
    private readonly Pipe _pipe = new();
    private readonly ChatResponseUpdate[] _updates =
        [.. Enumerable.Range(0, 20).Select(i => new ChatResponseUpdate(ChatRole.Assistant, $"word{i} ") { ResponseId = "chatcmpl-bench", CreatedAt = DateTimeOffset.UnixEpoch })];

    [Benchmark]
    public long TwentyTextChunks()
    {
        using (var writer = new ChatCompletionStreamWriter(_pipe.Writer, "bench", includeUsage: true))
        {
            writer.Start(_updates[0]);
            foreach (ChatResponseUpdate update in _updates)
            {
                writer.Add(update);
            }

            writer.Finish();
        }

        _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out ReadResult read);
        long length = read.Buffer.Length;
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }
}
