using Microsoft.Extensions.AI;

namespace Allos.Providers.Streaming;

/// <summary>
/// One stream's codec: turns the body's events into updates, synchronously, one event at a time. The shared reader
/// (<see cref="EventStreamReader"/>) does the framing and the single async loop, so a streamed token costs one
/// <c>MoveNextAsync</c> however many layers decode it.
/// </summary>
internal abstract class StreamDecoder
{
    /// <summary>Gets how the body is framed.</summary>
    public abstract StreamFraming Framing { get; }

    /// <summary>Gets whether the provider's terminator arrived: nothing after it is read.</summary>
    public bool Ended { get; protected set; }

    /// <summary>Decodes one event into the update to yield, if any.</summary>
    /// <param name="eventType">The SSE <c>event:</c> field (empty when absent); always empty for NDJSON.</param>
    /// <param name="data">The SSE data (lines joined by <c>\n</c>) or one NDJSON line.</param>
    public abstract ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data);

    /// <summary>
    /// Decodes an AWS event-stream <c>exception</c> or <c>error</c> message (only with <see cref="StreamFraming.AwsEventStream"/>):
    /// the provider's error inside a stream that started with HTTP 200. Throws the typed error; by default, an invalid response.
    /// </summary>
    /// <param name="exceptionType">The <c>:exception-type</c> (or <c>:error-code</c>) header.</param>
    /// <param name="payload">The message's payload (or its <c>:error-message</c> header).</param>
    public virtual ChatResponseUpdate? DecodeException(ReadOnlySpan<byte> exceptionType, ReadOnlySpan<byte> payload) =>
        throw new InvalidOperationException($"An event-stream exception message ({System.Text.Encoding.UTF8.GetString(exceptionType)}) reached a decoder that does not read them.");

    /// <summary>
    /// Called once, after the terminator or at the end of the body: returns a last update (final usage, a finish reason a
    /// proxy left without its terminator), or throws when the answer was cut before it finished.
    /// </summary>
    public abstract ChatResponseUpdate? Finish();
}
