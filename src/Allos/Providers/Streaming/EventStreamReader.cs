using System.Buffers;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Streaming;

/// <summary>
/// Cuts a streamed body into events (server-sent events, JSON lines or AWS event-stream messages) and hands each to the stream's
/// <see cref="StreamDecoder"/>, synchronously, over one pooled buffer. The caller owns the only async loop: it asks
/// <see cref="Next"/> for an update, and reads more bytes into <see cref="GetReadBuffer"/> when <see cref="NeedsData"/>.
/// </summary>
/// <remarks>
/// Events are decoded in place: an event's data is a slice of the buffer (lines of a multi-line data field are joined
/// in a second buffer), and the buffer is compacted or grown only between events. Server-sent events follow the
/// WHATWG rules: any line ending, a leading BOM ignored, comments and unknown fields skipped, an event with no data
/// line not dispatched, and an unfinished event at the end of the body discarded.
/// </remarks>
internal sealed class EventStreamReader : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private const int MinimumRead = 4 * 1024;

    /// <summary>No event of any provider comes near this; a body that does is not an event stream.</summary>
    private const int MaxEventBytes = 64 * 1024 * 1024;

    private readonly StreamDecoder _decoder;
    private readonly string _provider;
    private byte[] _buffer;
    private byte[]? _joined;
    private int _joinedLength;
    private int _start;
    private int _end;
    private bool _started;
    private bool _eof;

    public EventStreamReader(StreamDecoder decoder, string provider)
    {
        _decoder = decoder;
        _provider = provider;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    /// <summary>Gets whether <see cref="Next"/> returned nothing because the next event has not fully arrived.</summary>
    public bool NeedsData { get; private set; }

    /// <summary>Gets whether the stream is over: the decoder finished, and nothing more is returned.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Gets whether the body was read to its end (otherwise the terminator came first).</summary>
    public bool ReachedEndOfBody => _eof;

    /// <summary>
    /// Returns the next update, or <see langword="null"/> when the buffered bytes hold none: then either
    /// <see cref="NeedsData"/> (read more) or <see cref="IsFinished"/>.
    /// </summary>
    public ChatResponseUpdate? Next()
    {
        NeedsData = false;
        while (!IsFinished)
        {
            if (_decoder.Ended)
            {
                IsFinished = true;
                return _decoder.Finish();
            }

            bool read = _decoder.Framing == StreamFraming.AwsEventStream ? TryReadAwsMessage(out ChatResponseUpdate? update) : TryReadTextEvent(out update);
            if (read)
            {
                if (update is not null)
                {
                    return update;
                }

                continue;
            }

            if (!_eof)
            {
                NeedsData = true;
                return null;
            }

            IsFinished = true;
            return _decoder.Finish();
        }

        return null;
    }

    /// <summary>Returns free space for the next read, after compacting or growing the buffer as needed.</summary>
    public Memory<byte> GetReadBuffer()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _end < MinimumRead && _start > 0)
        {
            // Keep the unfinished event; drop what was decoded.
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < MinimumRead)
        {
            if (_buffer.Length >= MaxEventBytes)
            {
                throw new InvalidResponseException(_provider, $"{_provider} streamed an event larger than {MaxEventBytes / (1024 * 1024)} MB; the body is not an event stream.");
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, _end - _start).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records a read of <paramref name="count"/> bytes into <see cref="GetReadBuffer"/>; 0 is the end of the body.</summary>
    public void Advance(int count)
    {
        if (count == 0)
        {
            _eof = true;
            return;
        }

        _end += count;
        if (!_started && _end - _start >= 3)
        {
            _started = true;
            if (_buffer.AsSpan(_start, 3).SequenceEqual("\uFEFF"u8))
            {
                _start += 3;
            }
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_joined is { } joined)
        {
            _joined = null;
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>Reads and decodes one server-sent event or JSON line, if one has fully arrived.</summary>
    private bool TryReadTextEvent(out ChatResponseUpdate? update)
    {
        bool found = _decoder.Framing == StreamFraming.ServerSentEvents
            ? TryReadEvent(out int typeStart, out int typeLength, out ReadOnlySpan<byte> data)
            : TryReadLine(out typeStart, out typeLength, out data);
        update = found ? _decoder.Decode(_buffer.AsSpan(typeStart, typeLength), data) : null;
        return found;
    }

    /// <summary>
    /// Reads and decodes one AWS event-stream message, if one has fully arrived. A body that ends inside a message is an
    /// incomplete answer, reported as a broken connection.
    /// </summary>
    private bool TryReadAwsMessage(out ChatResponseUpdate? update)
    {
        update = null;
        ReadOnlySpan<byte> rest = _buffer.AsSpan(_start, _end - _start);
        if (!AwsEventStreamMessage.TryRead(rest, _provider, out AwsEventStreamMessage message, out int length))
        {
            if (_eof && !rest.IsEmpty)
            {
                throw new ProviderConnectionException(_provider, $"The {_provider} stream ended inside an event-stream message; the response is incomplete.");
            }

            return false;
        }

        _start += length;
        update = message.MessageType.SequenceEqual("exception"u8) ? _decoder.DecodeException(message.ExceptionType, message.Payload)
            : message.MessageType.SequenceEqual("error"u8) ? _decoder.DecodeException(message.ErrorCode, message.ErrorMessage)
            : _decoder.Decode(message.EventType, message.Payload);
        return true;
    }

    /// <summary>Reads one complete server-sent event from the buffer, if one has fully arrived.</summary>
    private bool TryReadEvent(out int typeStart, out int typeLength, out ReadOnlySpan<byte> data)
    {
        typeStart = typeLength = 0;
        data = default;
        int dataStart = 0, dataLength = 0, dataLines = 0;
        int position = _start;
        while (true)
        {
            if (!TryReadLineEnd(position, out int lineLength, out int next))
            {
                return false; // an unfinished event waits for more, or is dropped at the end of the body
            }

            ReadOnlySpan<byte> line = _buffer.AsSpan(position, lineLength);
            int lineStart = position;
            position = next;

            if (line.IsEmpty)
            {
                _start = position;
                if (dataLines == 0)
                {
                    typeStart = typeLength = 0;
                    continue;
                }

                data = dataLines == 1 ? _buffer.AsSpan(dataStart, dataLength) : _joined.AsSpan(0, _joinedLength);
                return true;
            }

            if (line[0] == (byte)':')
            {
                continue; // a comment (keep-alives)
            }

            int colon = line.IndexOf((byte)':');
            ReadOnlySpan<byte> field = colon < 0 ? line : line[..colon];
            int valueStart = colon < 0 ? lineLength : colon + 1;
            if (valueStart < lineLength && line[valueStart] == (byte)' ')
            {
                valueStart++;
            }

            if (field.SequenceEqual("data"u8))
            {
                if (dataLines == 0)
                {
                    dataStart = lineStart + valueStart;
                    dataLength = lineLength - valueStart;
                }
                else
                {
                    if (dataLines == 1)
                    {
                        _joinedLength = 0;
                        Join(_buffer.AsSpan(dataStart, dataLength));
                    }

                    Join("\n"u8);
                    Join(line[valueStart..]);
                }

                dataLines++;
            }
            else if (field.SequenceEqual("event"u8))
            {
                typeStart = lineStart + valueStart;
                typeLength = lineLength - valueStart;
            }

            // id and retry serve reconnection, which a provider call does not do; unknown fields are ignored.
        }
    }

    /// <summary>Reads one non-blank line (a JSON value) from the buffer; at the end of the body, an unterminated last line too.</summary>
    private bool TryReadLine(out int typeStart, out int typeLength, out ReadOnlySpan<byte> line)
    {
        typeStart = typeLength = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = _buffer.AsSpan(_start, _end - _start);
            int newline = rest.IndexOf((byte)'\n');
            if (newline < 0 && (!_eof || rest.IsEmpty))
            {
                line = default;
                return false;
            }

            line = newline < 0 ? rest : rest[..newline];
            _start += newline < 0 ? rest.Length : newline + 1;
            if (!IsBlank(line))
            {
                return true;
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <summary>Finds the end of the line at <paramref name="position"/>: <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>.</summary>
    private bool TryReadLineEnd(int position, out int length, out int next)
    {
        ReadOnlySpan<byte> rest = _buffer.AsSpan(position, _end - position);
        int end = rest.IndexOfAny((byte)'\r', (byte)'\n');
        length = end;
        next = position + end + 1;
        if (end < 0)
        {
            return false;
        }

        if (rest[end] == (byte)'\r')
        {
            if (end + 1 < rest.Length)
            {
                next += rest[end + 1] == (byte)'\n' ? 1 : 0;
            }
            else if (!_eof)
            {
                return false; // the \n of a \r\n may be in the next read
            }
        }

        return true;
    }

    private void Join(ReadOnlySpan<byte> bytes)
    {
        if (_joined is null || _joined.Length - _joinedLength < bytes.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(1024, (_joinedLength + bytes.Length) * 2));
            if (_joined is { } old)
            {
                old.AsSpan(0, _joinedLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(old);
            }

            _joined = larger;
        }

        bytes.CopyTo(_joined.AsSpan(_joinedLength));
        _joinedLength += bytes.Length;
    }
}
