using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Allos.Providers.Http;

/// <summary>Reads newline-delimited JSON (Ollama's streaming format) without copying lines into strings.</summary>
internal static class NdjsonReader
{
    /// <summary>Yields <paramref name="parse"/>'s item for every line that is not blank.</summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream stream, Func<ReadOnlySequence<byte>, T> parse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;

                // Items are yielded before AdvanceTo: the buffer stays valid because nothing reads from the pipe meanwhile.
                while (TryReadLine(ref buffer, out ReadOnlySequence<byte> line))
                {
                    if (!IsBlank(line))
                    {
                        yield return parse(line);
                    }
                }

                if (result.IsCompleted && !buffer.IsEmpty)
                {
                    if (!IsBlank(buffer))
                    {
                        yield return parse(buffer);
                    }

                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);

                if (result.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        SequencePosition? newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>Whether a line holds nothing but whitespace (or a stray <c>\r</c>).</summary>
    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        return !reader.Read();
    }
}
