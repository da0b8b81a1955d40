using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Allos.Testing;

/// <summary>
/// Encodes AWS event-stream messages (<c>application/vnd.amazon.eventstream</c>) as Bedrock's ConverseStream sends them,
/// for <see cref="FakeTurn.RawBytes"/>: events, exceptions, and whatever corruption a test needs applied to their bytes.
/// </summary>
public static class FakeEventStream
{
    /// <summary>The content type of an event stream.</summary>
    public const string ContentType = "application/vnd.amazon.eventstream";

    /// <summary>An <c>event</c> message: <c>:event-type</c> <paramref name="eventType"/>, a JSON payload.</summary>
    public static byte[] Event(string eventType, string json) =>
        Message([(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")], json);

    /// <summary>An <c>exception</c> message: <c>:exception-type</c> <paramref name="exceptionType"/> (for example <c>throttlingException</c>), a JSON payload <c>{"message":…}</c>.</summary>
    public static byte[] Exception(string exceptionType, string message)
    {
        string json = Formats.FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteEndObject();
        });
        return Message([(":exception-type", exceptionType), (":content-type", "application/json"), (":message-type", "exception")], json);
    }

    /// <summary>One message with string headers: prelude (lengths and their CRC32), headers, payload, message CRC32.</summary>
    public static byte[] Message(IReadOnlyList<(string Name, string Value)> headers, string payload)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(payload);
        using var encoded = new MemoryStream();
        foreach ((string name, string value) in headers)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            byte[] valueBytes = Encoding.UTF8.GetBytes(value);
            encoded.WriteByte((byte)nameBytes.Length);
            encoded.Write(nameBytes);
            encoded.WriteByte(7); // string
            encoded.WriteByte((byte)(valueBytes.Length >> 8)); // a 2-byte big-endian length
            encoded.WriteByte((byte)valueBytes.Length);
            encoded.Write(valueBytes);
        }

        byte[] headerBytes = encoded.ToArray();
        byte[] payloadBytes = Encoding.UTF8.GetBytes(payload);
        int total = 12 + headerBytes.Length + payloadBytes.Length + 4;
        byte[] message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, 12);
        payloadBytes.CopyTo(message, 12 + headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }
}
