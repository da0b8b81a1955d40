using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Allos.Providers.Http;

/// <summary>Reads newline-delimited JSON (Ollama's streaming format) without copying lines into strings.</summary>
internal static class NdjsonReader
{
    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream stream, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
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
                    if (Parse(line, typeInfo) is T item)
                    {
                        yield return item;
                    }
                }

                if (result.IsCompleted && !buffer.IsEmpty)
                {
                    if (Parse(buffer, typeInfo) is T last)
                    {
                        yield return last;
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

    private static T? Parse<T>(ReadOnlySequence<byte> line, JsonTypeInfo<T> typeInfo)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read())
        {
            return default; // blank line (or only whitespace / \r)
        }

        reader = new Utf8JsonReader(line);
        return JsonSerializer.Deserialize(ref reader, typeInfo);
    }
}
