namespace Allos.Testing;

/// <summary>
/// One scripted answer of a <see cref="FakeProviderServer"/>: what the "model" says (text, reasoning, tool calls, usage,
/// finish reason), or how the call fails (an HTTP error, an error event mid-stream, a stream cut short or dropped).
/// The same turn is rendered in whichever wire format the client called, streaming or not.
/// </summary>
/// <remarks>Builder methods mutate and return the same instance; a turn is consumed by exactly one request.</remarks>
public sealed class FakeTurn
{
    private readonly List<FakePart> _parts = [];
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    private FakeTurn()
    {
    }

    /// <summary>Gets the parts of the answer, in order.</summary>
    public IReadOnlyList<FakePart> Parts => _parts;

    /// <summary>Gets the usage to report, or <see langword="null"/> for none.</summary>
    public FakeUsage? Usage { get; private set; }

    /// <summary>Gets the finish reason to report.</summary>
    public FakeFinishReason FinishReason { get; private set; }

    /// <summary>Gets the model name to report; default: the model the request named.</summary>
    public string? Model { get; private set; }

    /// <summary>Gets the delay before each streamed chunk (and before a non-streamed body).</summary>
    public TimeSpan ChunkDelay { get; private set; }

    /// <summary>Gets the size of streamed text pieces, in characters; 0 means one piece per word.</summary>
    public int TextChunkSize { get; private set; }

    /// <summary>Gets the size of streamed tool-argument fragments, in characters; <see langword="null"/> sends each call whole in one chunk.</summary>
    public int? ArgumentChunkSize { get; private set; } = 8;

    /// <summary>Gets the number of chunks after which the connection is aborted (a broken connection), or <see langword="null"/>.</summary>
    public int? DropAfterChunks { get; private set; }

    /// <summary>Gets the number of chunks after which the response ends cleanly but without its terminator, or <see langword="null"/>.</summary>
    public int? TruncateAfterChunks { get; private set; }

    /// <summary>Gets the number of streamed chunks after which the server goes quiet (see <see cref="StallAfter"/>).</summary>
    public int? StallAfterChunks { get; private set; }

    /// <summary>Gets the message of an error sent inside the stream after the content, in the provider's in-stream error format.</summary>
    public string? StreamErrorMessage { get; private set; }

    /// <summary>Gets the provider error type sent with <see cref="StreamErrorMessage"/> (for example <c>overloaded_error</c>).</summary>
    public string? StreamErrorType { get; private set; }

    /// <summary>Gets the HTTP status of an error turn, or <see langword="null"/> for a successful one.</summary>
    public int? ErrorStatus { get; private set; }

    /// <summary>Gets the exact error body, or <see langword="null"/> to render <see cref="ErrorMessage"/> in the provider's error shape.</summary>
    public string? ErrorBody { get; private set; }

    /// <summary>Gets the error message rendered in the provider's own error shape when <see cref="ErrorBody"/> is not given.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>Gets the error type or code rendered with <see cref="ErrorMessage"/>.</summary>
    public string? ErrorType { get; private set; }

    /// <summary>Gets exact bytes to send instead of rendering (a captured fixture), or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? RawChunks { get; private set; }

    /// <summary>Gets exact binary chunks to send instead of rendering (AWS event-stream messages, see <see cref="FakeEventStream"/>), or <see langword="null"/>.</summary>
    public IReadOnlyList<byte[]>? RawByteChunks { get; private set; }

    /// <summary>Gets the content type of <see cref="RawChunks"/> or <see cref="RawByteChunks"/>.</summary>
    public string? RawContentType { get; private set; }

    /// <summary>Gets the vectors an embeddings request is answered with, one per input in order, or <see langword="null"/>.</summary>
    public IReadOnlyList<float[]>? EmbeddingVectors { get; private set; }

    /// <summary>Gets the function that computes each input's vector for an embeddings request, or <see langword="null"/>.</summary>
    public Func<string, float[]>? EmbeddingFunction { get; private set; }

    /// <summary>Gets the input tokens a token-counting request is answered with (<see cref="TokenCount"/>), or <see langword="null"/>.</summary>
    public long? CountedTokens { get; private set; }

    /// <summary>Gets extra response headers.</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers;

    /// <summary>A turn that answers with text.</summary>
    public static FakeTurn Text(string text) => new FakeTurn().WithText(text);

    /// <summary>A turn that asks for one or more tool calls.</summary>
    public static FakeTurn ToolCalls(params FakeToolCall[] calls)
    {
        var turn = new FakeTurn();
        foreach (FakeToolCall call in calls)
        {
            turn._parts.Add(call);
        }

        return turn;
    }

    /// <summary>
    /// A turn that answers an embeddings request (OpenAI <c>/embeddings</c>, Gemini <c>batchEmbedContents</c>, Ollama
    /// <c>/api/embed</c>) with these vectors, the first for the first input; a request with more inputs than vectors fails
    /// with HTTP 500. OpenAI-style requests asking for <c>encoding_format: "base64"</c> get little-endian float32 base64.
    /// </summary>
    public static FakeTurn Embeddings(params float[][] vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return new FakeTurn { EmbeddingVectors = vectors };
    }

    /// <summary>A turn that answers an embeddings request with <paramref name="embed"/>'s vector for each input (for batches of any size).</summary>
    public static FakeTurn Embeddings(Func<string, float[]> embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        return new FakeTurn { EmbeddingFunction = embed };
    }

    /// <summary>An empty turn, to fill with the builder methods.</summary>
    public static FakeTurn Empty() => new();

    /// <summary>A failed call with an exact status and body (for example a captured provider error).</summary>
    public static FakeTurn Error(int status, string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        var turn = new FakeTurn { ErrorStatus = status, ErrorBody = body };
        foreach (KeyValuePair<string, string> header in headers ?? new Dictionary<string, string>())
        {
            turn._headers[header.Key] = header.Value;
        }

        return turn;
    }

    /// <summary>A failed call whose body is rendered in the called provider's own error shape.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The error message.</param>
    /// <param name="type">The provider error type or code; default: the provider's usual one for <paramref name="status"/>.</param>
    public static FakeTurn ProviderError(int status, string message, string? type = null) =>
        new() { ErrorStatus = status, ErrorMessage = message, ErrorType = type };

    /// <summary>
    /// A turn that answers a token-counting request with <paramref name="inputTokens"/>, in the called provider's shape:
    /// Anthropic's <c>count_tokens</c> (<c>{"input_tokens": N}</c>) or Gemini's <c>countTokens</c> (<c>{"totalTokens": N}</c>).
    /// </summary>
    public static FakeTurn TokenCount(long inputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        return new FakeTurn { CountedTokens = inputTokens };
    }

    /// <summary>Sends these exact chunks (a captured stream or body), each flushed separately, with <see cref="ChunkDelay"/> between them.</summary>
    public static FakeTurn Raw(string contentType, params string[] chunks) =>
        new() { RawChunks = chunks, RawContentType = contentType };

    /// <summary>Sends these exact binary chunks (for example <see cref="FakeEventStream"/> messages, or corrupted ones), each flushed separately.</summary>
    public static FakeTurn RawBytes(string contentType, params byte[][] chunks) =>
        new() { RawByteChunks = chunks, RawContentType = contentType };

    /// <summary>Adds answer text.</summary>
    public FakeTurn WithText(string text)
    {
        _parts.Add(new FakeText(text));
        return this;
    }

    /// <summary>Adds reasoning, with an optional signature.</summary>
    public FakeTurn WithReasoning(string text, string? signature = null)
    {
        _parts.Add(new FakeReasoning(text, signature));
        return this;
    }

    /// <summary>Adds a tool call.</summary>
    public FakeTurn WithToolCall(string id, string name, string argumentsJson, string? signature = null)
    {
        _parts.Add(new FakeToolCall(id, name, argumentsJson, signature));
        return this;
    }

    /// <summary>Reports usage.</summary>
    public FakeTurn WithUsage(int inputTokens, int outputTokens, int cachedInputTokens = 0, int reasoningTokens = 0)
    {
        Usage = new FakeUsage(inputTokens, outputTokens, cachedInputTokens, reasoningTokens);
        return this;
    }

    /// <summary>Reports this finish reason instead of the inferred one.</summary>
    public FakeTurn WithFinishReason(FakeFinishReason reason)
    {
        FinishReason = reason;
        return this;
    }

    /// <summary>Reports this model name.</summary>
    public FakeTurn WithModel(string model)
    {
        Model = model;
        return this;
    }

    /// <summary>Waits this long before each chunk (use it to test cancellation and timeouts).</summary>
    public FakeTurn WithChunkDelay(TimeSpan delay)
    {
        ChunkDelay = delay;
        return this;
    }

    /// <summary>Streams text in pieces of this many characters (0: one piece per word).</summary>
    public FakeTurn WithTextChunkSize(int characters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(characters);
        TextChunkSize = characters;
        return this;
    }

    /// <summary>Streams tool arguments in fragments of this many characters, or whole (<see langword="null"/>) in one chunk per call.</summary>
    public FakeTurn WithArgumentChunkSize(int? characters)
    {
        if (characters is int size)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        }

        ArgumentChunkSize = characters;
        return this;
    }

    /// <summary>Aborts the connection after this many streamed chunks (a broken connection).</summary>
    public FakeTurn DropConnectionAfter(int chunks)
    {
        DropAfterChunks = chunks;
        return this;
    }

    /// <summary>Sends this many streamed chunks, then nothing more while keeping the connection open, until the client gives up (a stalled server).</summary>
    public FakeTurn StallAfter(int chunks)
    {
        StallAfterChunks = chunks;
        return this;
    }

    /// <summary>Ends the response cleanly after this many streamed chunks, without the stream's terminator.</summary>
    public FakeTurn TruncateAfter(int chunks)
    {
        TruncateAfterChunks = chunks;
        return this;
    }

    /// <summary>After the content, sends an error in the provider's in-stream error format and ends the stream.</summary>
    public FakeTurn WithStreamError(string message, string? type = null)
    {
        StreamErrorMessage = message;
        StreamErrorType = type;
        return this;
    }

    /// <summary>Adds a response header (for example <c>retry-after</c>).</summary>
    public FakeTurn WithHeader(string name, string value)
    {
        _headers[name] = value;
        return this;
    }

    /// <summary>The finish reason to render: the explicit one, or inferred from the parts.</summary>
    public FakeFinishReason EffectiveFinishReason =>
        FinishReason != FakeFinishReason.Auto ? FinishReason
        : _parts.Exists(p => p is FakeToolCall) ? FakeFinishReason.ToolCalls
        : FakeFinishReason.Stop;

    /// <summary>All answer text, concatenated.</summary>
    public string AllText => string.Concat(_parts.OfType<FakeText>().Select(t => t.Text));

    /// <summary>All reasoning text, concatenated.</summary>
    public string AllReasoning => string.Concat(_parts.OfType<FakeReasoning>().Select(t => t.Text));

    /// <summary>Splits text into stream pieces according to <see cref="TextChunkSize"/>.</summary>
    public IEnumerable<string> SplitText(string text)
    {
        if (TextChunkSize > 0)
        {
            for (int i = 0; i < text.Length; i += TextChunkSize)
            {
                yield return text.Substring(i, Math.Min(TextChunkSize, text.Length - i));
            }

            yield break;
        }

        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && i > start)
            {
                yield return text[start..i];
                start = i;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    /// <summary>Splits tool arguments into fragments according to <see cref="ArgumentChunkSize"/>.</summary>
    public IEnumerable<string> SplitArguments(string arguments)
    {
        if (ArgumentChunkSize is not int size)
        {
            yield return arguments;
            yield break;
        }

        for (int i = 0; i < arguments.Length; i += size)
        {
            yield return arguments.Substring(i, Math.Min(size, arguments.Length - i));
        }
    }
}
