using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Allos.Providers.Http;

/// <summary>
/// A JSON request body serialized up front into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, so it has a
/// Content-Length (some OpenAI-compatible servers and proxies reject chunked request bodies) without a fresh
/// <see cref="byte"/> array per request, which for a long history would land on the large-object heap.
/// </summary>
/// <remarks>The buffer goes back to the pool when the content is disposed (with its request); it can be sent more than once until then, as a redirect does.</remarks>
internal sealed class PooledJsonContent : HttpContent
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private byte[]? _buffer;
    private readonly int _length;

    private PooledJsonContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Headers.ContentType = JsonMediaType;
    }

    public static PooledJsonContent Create<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var writer = new PooledBufferWriter();
        try
        {
            using (var json = new Utf8JsonWriter(writer))
            {
                JsonSerializer.Serialize(json, value, typeInfo);
            }

            return new PooledJsonContent(writer.Detach(out int length), length);
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Gets the serialized body, for a request signature over it (AWS SigV4); valid until the content is disposed.</summary>
    public ReadOnlySpan<byte> Body => Written().Span;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Written()).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Written(), cancellationToken).AsTask();

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(Written().Span);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    private ReadOnlyMemory<byte> Written() => (_buffer ?? throw new ObjectDisposedException(nameof(PooledJsonContent))).AsMemory(0, _length);

    /// <summary>An <see cref="IBufferWriter{T}"/> over pooled arrays, doubling as it grows.</summary>
    private sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
    {
        private byte[]? _array = ArrayPool<byte>.Shared.Rent(4096);
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

        /// <summary>Hands the array over to the caller, who returns it to the pool.</summary>
        public byte[] Detach(out int length)
        {
            byte[] array = _array!;
            length = _written;
            _array = null;
            return array;
        }

        public void Dispose()
        {
            if (_array is { } array)
            {
                _array = null;
                ArrayPool<byte>.Shared.Return(array);
            }
        }

        private byte[] Reserve(int sizeHint)
        {
            byte[] array = _array!;
            int needed = _written + Math.Max(sizeHint, 1);
            if (needed > array.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, array.Length * 2));
                array.AsSpan(0, _written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(array);
                _array = array = larger;
            }

            return array;
        }
    }
}
