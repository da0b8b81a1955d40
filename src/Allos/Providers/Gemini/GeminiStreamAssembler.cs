using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>
/// Turns <c>streamGenerateContent</c> chunks into updates. Text, thoughts and (whole) function calls pass through as they
/// arrive; usage (cumulative on every chunk, so the last wins) and the finish reason are emitted once, at EOF, because
/// older models put <c>finishReason</c> on every chunk.
/// </summary>
/// <remarks>Not thread-safe: one instance per stream.</remarks>
internal sealed class GeminiStreamAssembler(string provider)
{
    private string? _responseId;
    private string? _model;
    private DateTimeOffset? _created;
    private GeminiUsageMetadata? _usage;
    private byte[]? _tail;
    private int _tailLength;
    private string? _finishReason;
    private string? _blockReason;
    private bool _hasCalls;

    /// <summary>Gets a value indicating whether a chunk ended the answer (a finish reason, or a blocked prompt).</summary>
    public bool IsComplete => _finishReason is not null || _blockReason is not null;

    /// <summary>Handles one chunk; returns the update to yield, or <see langword="null"/> when it carried no content.</summary>
    public ChatResponseUpdate? Add(GeminiResponse chunk)
    {
        ReadTail();
        GeminiResponseParser.ThrowIfError(chunk, provider);
        _responseId ??= chunk.ResponseId;
        _model ??= chunk.ModelVersion;
        _created ??= GeminiResponseParser.ParseTime(chunk.CreateTime);
        KeepUsage(chunk.UsageMetadata);

        if (chunk.PromptFeedback?.BlockReason is { } blockReason)
        {
            _blockReason = blockReason;
        }

        if (chunk.Candidates is not { Count: > 0 } candidates || candidates[0] is not { } candidate)
        {
            return null;
        }

        if (candidate.FinishReason is { } finish)
        {
            _finishReason = finish;
        }

        var contents = new List<AIContent>();
        _hasCalls |= GeminiResponseParser.AddParts(contents, candidate.Content?.Parts, streaming: true);
        GeminiResponseParser.AddGrounding(contents, candidate.GroundingMetadata, candidate.Content?.Parts, streaming: true);
        return contents.Count == 0 ? null : NewUpdate(contents);
    }

    /// <summary>Gets a value indicating whether the response id and model are known, so a chunk's copies can be skipped (see <see cref="TryReadText"/>).</summary>
    public bool KnowsResponse => _responseId is not null && _model is not null;

    /// <summary>
    /// Reads a chunk with one text part through <see cref="GeminiChunkReader"/>, once the response id and model are known;
    /// <paramref name="update"/> is what <see cref="Add"/> would return for it, without the raw part. The chunk's tail (its
    /// cumulative usage) is kept as bytes and deserialized only if no later chunk replaces it.
    /// </summary>
    public bool TryReadText(ReadOnlySpan<byte> json, out ChatResponseUpdate? update)
    {
        update = null;
        if (!KnowsResponse || !GeminiChunkReader.TryReadText(json, knowsCreated: _created is not null, out string? text, out string? finish, out int tailStart))
        {
            return false;
        }

        KeepTail(json[tailStart..]);
        if (finish is not null)
        {
            _finishReason = finish;
        }

        if (!string.IsNullOrEmpty(text))
        {
            update = NewUpdate([new TextContent(text)]);
        }

        return true;
    }

    /// <summary>Called at EOF of a complete stream: the usage and the finish reason.</summary>
    public ChatResponseUpdate Complete()
    {
        ReadTail();
        List<AIContent> contents = GeminiResponseParser.MapUsage(_usage) is { } usage ? [new UsageContent(usage)] : [];
        ChatResponseUpdate update = NewUpdate(contents);

        // Without a message id, ToChatResponse() puts the update's AdditionalProperties on the response, as GetResponseAsync does.
        update.MessageId = null;
        if (_finishReason is null && _blockReason is not null)
        {
            update.FinishReason = ChatFinishReason.ContentFilter;
            update.AdditionalProperties = new() { [GeminiProperties.BlockReason] = _blockReason };
        }
        else
        {
            update.FinishReason = GeminiResponseParser.MapFinishReason(_finishReason, _hasCalls);
        }

        return update;
    }

    /// <summary>Usage is cumulative: the last chunk with counts wins, and is mapped once, at the end.</summary>
    private void KeepUsage(GeminiUsageMetadata? usage)
    {
        if (usage is { } u && (u.PromptTokenCount is not null || u.CandidatesTokenCount is not null || u.TotalTokenCount is not null))
        {
            _usage = usage;
        }
    }

    /// <summary>The tail of a chunk read without its DTO, behind an empty candidate list, so it deserializes as a chunk.</summary>
    private static ReadOnlySpan<byte> TailPrefix => "{\"candidates\":[]"u8;

    private void KeepTail(ReadOnlySpan<byte> tail)
    {
        if (tail.IndexOf("\"usageMetadata\""u8) < 0)
        {
            return; // an earlier chunk's counts stay the last ones
        }

        int length = TailPrefix.Length + tail.Length;
        if (_tail is null || _tail.Length < length)
        {
            _tail = new byte[Math.Max(256, length * 2)];
            TailPrefix.CopyTo(_tail);
        }

        tail.CopyTo(_tail.AsSpan(TailPrefix.Length));
        _tailLength = length;
    }

    /// <summary>Deserializes the last kept tail, for its usage (and, as any chunk, its error or a malformed value).</summary>
    private void ReadTail()
    {
        if (_tailLength == 0)
        {
            return;
        }

        int length = _tailLength;
        _tailLength = 0;
        if (JsonSerializer.Deserialize(_tail.AsSpan(0, length), GeminiJsonContext.Default.GeminiResponse) is { } tail)
        {
            GeminiResponseParser.ThrowIfError(tail, provider);
            KeepUsage(tail.UsageMetadata);
        }
    }

    private ChatResponseUpdate NewUpdate(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _model,
        CreatedAt = _created,
    };
}
