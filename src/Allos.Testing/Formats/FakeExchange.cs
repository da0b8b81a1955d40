using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Allos.Testing.Formats;

/// <summary>One request being answered: the turn to render and the means to write it, chunk by chunk.</summary>
internal sealed class FakeExchange(HttpContext context, FakeTurn turn, RecordedRequest request, string model, bool streaming)
{
    private int _chunks;
    private bool _stopped;

    public HttpContext Context { get; } = context;

    public FakeTurn Turn { get; } = turn;

    public RecordedRequest Request { get; } = request;

    /// <summary>Gets the model to report: the turn's, else the request's.</summary>
    public string Model { get; } = turn.Model ?? model;

    public bool Streaming { get; } = streaming;

    /// <summary>Gets a value indicating whether the stream was cut (dropped or truncated): renderers stop writing.</summary>
    public bool Stopped => _stopped;

    /// <summary>Writes a whole non-streamed JSON body after the turn's delay.</summary>
    public async Task WriteBodyAsync(string json, int status = 200, string contentType = "application/json")
    {
        await DelayAsync().ConfigureAwait(false);
        Context.Response.StatusCode = status;
        Context.Response.ContentType = contentType;
        await Context.Response.WriteAsync(json, Context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Starts a streamed response.</summary>
    public Task StartStreamAsync(string contentType)
    {
        Context.Response.StatusCode = 200;
        Context.Response.ContentType = contentType;
        Context.Response.Headers.CacheControl = "no-cache";
        return Context.Response.StartAsync(Context.RequestAborted);
    }

    /// <summary>Writes one SSE event (optionally named) and flushes it.</summary>
    public Task SseAsync(string data, string? eventName = null) =>
        ChunkAsync(eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n");

    /// <summary>Writes one NDJSON line and flushes it.</summary>
    public Task LineAsync(string json) => ChunkAsync(json + "\n");

    /// <summary>Writes one raw chunk, honouring the turn's delay, drop and truncation settings.</summary>
    public Task ChunkAsync(string text) => ChunkAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes one binary chunk (an AWS event-stream message), honouring the turn's delay, drop and truncation settings.</summary>
    public async Task ChunkAsync(ReadOnlyMemory<byte> bytes)
    {
        if (_stopped)
        {
            return;
        }

        if (Turn.DropAfterChunks is int drop && _chunks >= drop)
        {
            _stopped = true;
            await Context.Response.Body.FlushAsync().ConfigureAwait(false);
            Context.Abort();
            return;
        }

        if (Turn.TruncateAfterChunks is int truncate && _chunks >= truncate)
        {
            _stopped = true;
            return;
        }

        if (Turn.StallAfterChunks is int stall && _chunks >= stall)
        {
            // A server gone quiet mid-stream: the connection stays open and nothing more is sent until the client leaves.
            await Context.Response.Body.FlushAsync(Context.RequestAborted).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, Context.RequestAborted).ConfigureAwait(false);
        }

        await DelayAsync().ConfigureAwait(false);
        await Context.Response.Body.WriteAsync(bytes, Context.RequestAborted).ConfigureAwait(false);
        await Context.Response.Body.FlushAsync(Context.RequestAborted).ConfigureAwait(false);
        _chunks++;
    }

    private Task DelayAsync() =>
        Turn.ChunkDelay > TimeSpan.Zero ? Task.Delay(Turn.ChunkDelay, Context.RequestAborted) : Task.CompletedTask;

    /// <summary>Builds a JSON text with a writer: the fake server writes its wire JSON by hand to control every byte of the shape.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a JSON text (a tool's arguments) as a raw value, or as a string when it is not valid JSON.</summary>
    public static void WriteRawOrString(Utf8JsonWriter writer, string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(json);
        }
    }
}
