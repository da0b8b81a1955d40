using System.Buffers.Binary;
using System.IO.Hashing;

namespace Allos.Providers.Streaming;

/// <summary>
/// One message of AWS's event-stream encoding (<c>application/vnd.amazon.eventstream</c>): a 12-byte prelude (total
/// length, headers length, both big-endian, and the prelude's CRC32), the headers, the payload and the message's CRC32.
/// Only the headers a stream is read by are kept; the spans are slices of the caller's buffer.
/// </summary>
internal readonly ref struct AwsEventStreamMessage
{
    private const int PreludeLength = 12;
    private const int MinimumLength = PreludeLength + 4;

    /// <summary>AWS caps a message at 16 MB; a larger length is a corrupt prelude, not a message to wait for.</summary>
    private const int MaxLength = 16 * 1024 * 1024;

    private AwsEventStreamMessage(ReadOnlySpan<byte> messageType, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> exceptionType,
        ReadOnlySpan<byte> errorCode, ReadOnlySpan<byte> errorMessage, ReadOnlySpan<byte> payload)
    {
        MessageType = messageType;
        EventType = eventType;
        ExceptionType = exceptionType;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Payload = payload;
    }

    /// <summary>Gets the <c>:message-type</c> header: <c>event</c>, <c>exception</c> or <c>error</c>.</summary>
    public ReadOnlySpan<byte> MessageType { get; }

    /// <summary>Gets the <c>:event-type</c> header (<c>messageStart</c>, <c>contentBlockDelta</c>, …).</summary>
    public ReadOnlySpan<byte> EventType { get; }

    /// <summary>Gets the <c>:exception-type</c> header of an exception message (<c>throttlingException</c>, …).</summary>
    public ReadOnlySpan<byte> ExceptionType { get; }

    /// <summary>Gets the <c>:error-code</c> header of an error message.</summary>
    public ReadOnlySpan<byte> ErrorCode { get; }

    /// <summary>Gets the <c>:error-message</c> header of an error message.</summary>
    public ReadOnlySpan<byte> ErrorMessage { get; }

    /// <summary>Gets the payload (JSON for Bedrock).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>
    /// Reads the message at the start of <paramref name="buffer"/>. Returns <see langword="false"/> when it has not fully
    /// arrived; throws <see cref="InvalidResponseException"/> when it is corrupt (a CRC mismatch, lengths that do not add up).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, string provider, out AwsEventStreamMessage message, out int length)
    {
        message = default;
        length = 0;
        if (buffer.Length < PreludeLength)
        {
            return false;
        }

        uint total = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        uint headersLength = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        uint preludeCrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);

        // The prelude is checked before its lengths are trusted, so a corrupt length never makes the reader wait for bytes that will not come.
        if (Crc32.HashToUInt32(buffer[..8]) != preludeCrc)
        {
            throw Corrupt(provider, "its prelude checksum does not match");
        }

        if (total < MinimumLength || total > MaxLength || headersLength > total - MinimumLength)
        {
            throw Corrupt(provider, $"its lengths do not add up (message {total} bytes, headers {headersLength})");
        }

        if (buffer.Length < total)
        {
            return false;
        }

        ReadOnlySpan<byte> whole = buffer[..(int)total];
        if (Crc32.HashToUInt32(whole[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(whole[^4..]))
        {
            throw Corrupt(provider, "its message checksum does not match");
        }

        ReadOnlySpan<byte> headers = whole.Slice(PreludeLength, (int)headersLength);
        ReadOnlySpan<byte> messageType = default, eventType = default, exceptionType = default, errorCode = default, errorMessage = default;
        while (!headers.IsEmpty)
        {
            int nameLength = headers[0];
            if (headers.Length < 1 + nameLength + 1)
            {
                throw Corrupt(provider, "a header is cut");
            }

            ReadOnlySpan<byte> name = headers.Slice(1, nameLength);
            byte type = headers[1 + nameLength];
            headers = headers[(2 + nameLength)..];
            int valueLength = type switch
            {
                0 or 1 => 0, // true, false
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8, // long, timestamp
                9 => 16, // uuid
                6 or 7 when headers.Length >= 2 => 2 + BinaryPrimitives.ReadUInt16BigEndian(headers), // bytes, string
                _ => -1,
            };
            if (valueLength < 0 || valueLength > headers.Length)
            {
                throw Corrupt(provider, "a header is cut or of an unknown type");
            }

            if (type == 7)
            {
                ReadOnlySpan<byte> value = headers.Slice(2, valueLength - 2);
                if (name.SequenceEqual(":message-type"u8))
                {
                    messageType = value;
                }
                else if (name.SequenceEqual(":event-type"u8))
                {
                    eventType = value;
                }
                else if (name.SequenceEqual(":exception-type"u8))
                {
                    exceptionType = value;
                }
                else if (name.SequenceEqual(":error-code"u8))
                {
                    errorCode = value;
                }
                else if (name.SequenceEqual(":error-message"u8))
                {
                    errorMessage = value;
                }
            }

            headers = headers[valueLength..];
        }

        ReadOnlySpan<byte> payload = whole[(PreludeLength + (int)headersLength)..^4];
        message = new AwsEventStreamMessage(messageType, eventType, exceptionType, errorCode, errorMessage, payload);
        length = (int)total;
        return true;
    }

    private static InvalidResponseException Corrupt(string provider, string why) =>
        new(provider, $"{provider} sent a corrupt event-stream message ({why}); the response cannot be trusted.");
}
