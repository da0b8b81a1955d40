using System.Runtime.CompilerServices;

namespace Allos.Providers.Http;

/// <summary>
/// Wraps a response body for two guarantees: a failure while reading it (a reset, corrupt gzip or brotli data) is an
/// <see cref="IOException"/>, so it is reported as a broken connection and retried; and, for a stream, a read that
/// waits longer than the idle timeout for its next bytes cancels the call.
/// </summary>
/// <remarks>
/// The idle clock runs only while a read is waiting, so a consumer that pauses between updates is never timed out.
/// One timer per stream; a read costs two field writes.
/// </remarks>
internal sealed class ResponseBodyStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource? _onIdle;
    private readonly ITimer? _timer;
    private long _readStarted;
    private volatile bool _reading;
    private volatile bool _idleTimedOut;

    /// <param name="inner">The body.</param>
    /// <param name="idleTimeout">How long a read may wait for bytes; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="time">The clock of the idle timer.</param>
    /// <param name="onIdle">Cancelled when the idle timeout fires; the reads must observe its token.</param>
    public ResponseBodyStream(Stream inner, TimeSpan idleTimeout, TimeProvider time, CancellationTokenSource? onIdle)
    {
        _inner = inner;
        _time = time;
        IdleTimeout = idleTimeout;
        if (onIdle is not null && idleTimeout != Timeout.InfiniteTimeSpan && idleTimeout > TimeSpan.Zero)
        {
            _onIdle = onIdle;
            _timer = time.CreateTimer(static state => ((ResponseBodyStream)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(idleTimeout, Timeout.InfiniteTimeSpan); // started once assigned, so the callback always sees it
        }
    }

    /// <summary>Gets the idle timeout this stream enforces.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>Gets a value indicating whether the idle timeout fired.</summary>
    public bool IdleTimedOut => _idleTimedOut;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_timer is not null)
        {
            Volatile.Write(ref _readStarted, _time.GetTimestamp());
            _reading = true;
        }

        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsBodyFailure(ex))
        {
            throw new IOException($"The response body could not be read: {ex.Message}", ex);
        }
        finally
        {
            _reading = false;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return _inner.Read(buffer, offset, count);
        }
        catch (Exception ex) when (IsBodyFailure(ex))
        {
            throw new IOException($"The response body could not be read: {ex.Message}", ex);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer?.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Decompressors report corrupt data as InvalidDataException (gzip, deflate) or InvalidOperationException (brotli).
    private static bool IsBodyFailure(Exception ex) => ex is not (IOException or OperationCanceledException or ObjectDisposedException);

    private void OnTimer()
    {
        TimeSpan wait = IdleTimeout;
        if (_reading)
        {
            TimeSpan waited = _time.GetElapsedTime(Volatile.Read(ref _readStarted));
            if (waited >= IdleTimeout)
            {
                _idleTimedOut = true;
                try
                {
                    _onIdle!.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The call ended meanwhile.
                }

                return;
            }

            wait = IdleTimeout - waited;
        }

        try
        {
            _timer?.Change(wait, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
