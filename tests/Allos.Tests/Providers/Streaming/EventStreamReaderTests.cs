using System.Net.ServerSentEvents;
using System.Text;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Providers.Streaming;

public sealed class EventStreamReaderTests
{
    // Bodies that exercise the WHATWG rules: every line ending, comments, fields without a value or a space, multi-line
    // data, an event name, an event with no data, a BOM, and an unfinished event at the end of the body.
    public static TheoryData<string> SseBodies() =>
    [
        "data: a\n\ndata: b\n\n",
        "data: a\r\n\r\ndata: b\r\n\r\n",
        "data: a\r\rdata: b\r\r",
        "event: message_start\ndata: {\"x\":1}\n\nevent: ping\ndata: {}\n\n",
        "data: one\ndata: two\ndata:three\n\n",
        "data: one\r\ndata: two\r\n\r\n",
        ": keep-alive\n\ndata: after comment\n\n",
        "data\n\ndata:\n\ndata: \n\n",
        "\uFEFFdata: with a bom\n\n",
        "data: finished\n\ndata: unfinished",
        "data: finished\n\ndata: unfinished\n",
        "id: 7\nretry: 10\nunknown: field\ndata: kept\n\n",
        "data:  two spaces\n\n",
        "data: ünïcödé ✓\n\n",
        "",
        "\n\n\n",
    ];

    [Theory]
    [MemberData(nameof(SseBodies))]
    public async Task ServerSentEvents_InReadsOfAnySize_MatchTheRuntimesParser(string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        List<(string Type, string Data)> expected = [.. SseParser.Create(new MemoryStream(bytes)).Enumerate().Select(item => (item.EventType == SseParser.EventTypeDefault ? "" : item.EventType, item.Data))];

        for (int size = 1; size <= Math.Max(1, bytes.Length); size++)
        {
            List<(string Type, string Data)> events = await ReadAllAsync(bytes, size, StreamFraming.ServerSentEvents);
            events.ShouldBe(expected, $"reads of {size} bytes");
        }
    }

    [Fact]
    public async Task AnEventWithoutData_IsNotDispatchedAndItsNameDoesNotCarryOver()
    {
        // The WHATWG rule; System.Net.ServerSentEvents keeps the name for the next event instead.
        byte[] bytes = Encoding.UTF8.GetBytes("event: only a name\n\ndata: next\n\n");
        for (int size = 1; size <= bytes.Length; size++)
        {
            List<(string Type, string Data)> events = await ReadAllAsync(bytes, size, StreamFraming.ServerSentEvents);
            events.ShouldBe([("", "next")], $"reads of {size} bytes");
        }
    }

    [Fact]
    public async Task JsonLines_SkipBlankLinesAndKeepAnUnterminatedLastLine()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}");
        for (int size = 1; size <= bytes.Length; size++)
        {
            List<(string Type, string Data)> lines = await ReadAllAsync(bytes, size, StreamFraming.NewlineDelimitedJson);
            lines.Select(l => l.Data).ShouldBe(["{\"a\":1}", "{\"b\":2}\r", "{\"c\":3}"], $"reads of {size} bytes");
        }
    }

    [Fact]
    public async Task AnEventLargerThanTheBuffer_GrowsItAndArrivesWhole()
    {
        string big = new('x', 300_000);
        List<(string Type, string Data)> events = await ReadAllAsync(Encoding.UTF8.GetBytes($"data: small\n\ndata: {big}\n\ndata: after\n\n"), 7_000, StreamFraming.ServerSentEvents);
        events.Select(e => e.Data).ShouldBe(["small", big, "after"]);
    }

    [Fact]
    public async Task TheTerminator_StopsReadingAndFinishesOnce()
    {
        var decoder = new RecordingDecoder(StreamFraming.ServerSentEvents) { EndAt = "[DONE]" };
        using var reader = new EventStreamReader(decoder, "test");
        List<ChatResponseUpdate> updates = await DrainAsync(reader, new MemoryStream(Encoding.UTF8.GetBytes("data: a\n\ndata: [DONE]\n\ndata: ignored\n\n")), 1_000);

        decoder.Events.Select(e => e.Data).ShouldBe(["a", "[DONE]"]);
        updates.Select(u => u.Text).ShouldBe(["a", "[DONE]", "finished"]);
        decoder.Finishes.ShouldBe(1);
        reader.IsFinished.ShouldBeTrue();
        reader.ReachedEndOfBody.ShouldBeFalse("the bytes after the terminator are left for the drain");
    }

    [Fact]
    public async Task TheEndOfTheBody_FinishesOnceWithTheDecodersVerdict()
    {
        var decoder = new RecordingDecoder(StreamFraming.ServerSentEvents) { FailAtEnd = true };
        using var reader = new EventStreamReader(decoder, "test");

        await Should.ThrowAsync<InvalidOperationException>(() => DrainAsync(reader, new MemoryStream(Encoding.UTF8.GetBytes("data: a\n\n")), 1_000));
        decoder.Finishes.ShouldBe(1);
    }

    [Fact]
    public async Task AwsEventStream_InReadsOfAnySize_DecodesEveryMessageAndSkipsOtherHeaderTypes()
    {
        byte[] first = AwsMessage("event", "messageStart", """{"role":"assistant"}""", extraHeaders: true);
        byte[] second = AwsMessage("event", "contentBlockDelta", """{"delta":{"text":"ünï ✓"}}""");
        byte[] bytes = [.. first, .. second];

        for (int size = 1; size <= bytes.Length; size++)
        {
            List<(string Type, string Data)> events = await ReadAllAsync(bytes, size, StreamFraming.AwsEventStream);
            events.ShouldBe([("messageStart", """{"role":"assistant"}"""), ("contentBlockDelta", """{"delta":{"text":"ünï ✓"}}""")], $"reads of {size} bytes");
        }
    }

    [Fact]
    public async Task AwsEventStream_MessageLargerThanTheBuffer_GrowsItAndArrivesWhole()
    {
        string big = "{\"delta\":{\"text\":\"" + new string('x', 100_000) + "\"}}";
        List<(string Type, string Data)> events = await ReadAllAsync(AwsMessage("event", "contentBlockDelta", big), 3_000, StreamFraming.AwsEventStream);

        events.ShouldBe([("contentBlockDelta", big)]);
    }

    [Fact]
    public async Task AwsEventStream_ExceptionMessage_GoesToDecodeException()
    {
        var decoder = new RecordingDecoder(StreamFraming.AwsEventStream);
        using var reader = new EventStreamReader(decoder, "test");

        await DrainAsync(reader, new MemoryStream(AwsMessage("exception", "throttlingException", """{"message":"slow"}""")), 100);

        decoder.Exceptions.ShouldBe([("throttlingException", """{"message":"slow"}""")]);
    }

    [Fact]
    public async Task AwsEventStream_FlippedBit_IsACorruptMessageNotAHang()
    {
        byte[] bytes = AwsMessage("event", "messageStart", "{}");
        bytes[13] ^= 1; // inside the headers: only the message checksum can tell

        InvalidResponseException error = await Should.ThrowAsync<InvalidResponseException>(() => ReadAllAsync(bytes, 4, StreamFraming.AwsEventStream));
        error.Message.ShouldContain("checksum");
    }

    /// <summary>One event-stream message built by hand: string headers, and (optionally) a bool, an int and a byte-array header a reader must skip.</summary>
    private static byte[] AwsMessage(string messageType, string type, string payload, bool extraHeaders = false)
    {
        var headers = new List<byte>();
        void Name(string name)
        {
            headers.Add((byte)name.Length);
            headers.AddRange(Encoding.ASCII.GetBytes(name));
        }

        void Text(string name, string value)
        {
            Name(name);
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            headers.AddRange([7, (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }

        if (extraHeaders)
        {
            Name("flag");
            headers.Add(0);
            Name("count");
            headers.AddRange([4, 0, 0, 1, 0]);
            Name("blob");
            headers.AddRange([6, 0, 3, 9, 9, 9]);
        }

        Text(":message-type", messageType);
        Text(messageType == "exception" ? ":exception-type" : ":event-type", type);
        byte[] body = Encoding.UTF8.GetBytes(payload);
        int total = 12 + headers.Count + body.Length + 4;
        byte[] message = new byte[total];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message, total);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), headers.Count);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), System.IO.Hashing.Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headers.CopyTo(message, 12);
        body.CopyTo(message, 12 + headers.Count);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), System.IO.Hashing.Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }

    private static async Task<List<(string Type, string Data)>> ReadAllAsync(byte[] bytes, int readSize, StreamFraming framing)
    {
        var decoder = new RecordingDecoder(framing);
        using var reader = new EventStreamReader(decoder, "test");
        await DrainAsync(reader, new MemoryStream(bytes), readSize);
        decoder.Finishes.ShouldBe(1);
        return decoder.Events;
    }

    private static async Task<List<ChatResponseUpdate>> DrainAsync(EventStreamReader reader, Stream body, int readSize)
    {
        List<ChatResponseUpdate> updates = [];
        while (true)
        {
            ChatResponseUpdate? update = reader.Next();
            while (update is null && reader.NeedsData)
            {
                Memory<byte> buffer = reader.GetReadBuffer();
                reader.Advance(await body.ReadAsync(buffer[..Math.Min(readSize, buffer.Length)]));
                update = reader.Next();
            }

            if (update is null)
            {
                return updates;
            }

            updates.Add(update);
        }
    }

    private sealed class RecordingDecoder(StreamFraming framing) : StreamDecoder
    {
        public List<(string Type, string Data)> Events { get; } = [];

        public List<(string Type, string Payload)> Exceptions { get; } = [];

        public int Finishes { get; private set; }

        public string? EndAt { get; init; }

        public bool FailAtEnd { get; init; }

        public override StreamFraming Framing => framing;

        public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
        {
            string text = Encoding.UTF8.GetString(data);
            Events.Add((Encoding.UTF8.GetString(eventType), text));
            Ended = text == EndAt;
            return new ChatResponseUpdate(ChatRole.Assistant, text);
        }

        public override ChatResponseUpdate? DecodeException(ReadOnlySpan<byte> exceptionType, ReadOnlySpan<byte> payload)
        {
            Exceptions.Add((Encoding.UTF8.GetString(exceptionType), Encoding.UTF8.GetString(payload)));
            return null;
        }

        public override ChatResponseUpdate? Finish()
        {
            Finishes++;
            return FailAtEnd ? throw new InvalidOperationException("cut") : new ChatResponseUpdate(ChatRole.Assistant, "finished");
        }
    }
}
