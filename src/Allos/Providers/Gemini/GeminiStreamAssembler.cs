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
    private UsageDetails? _usage;
    private string? _finishReason;
    private string? _blockReason;
    private bool _hasCalls;

    /// <summary>Gets a value indicating whether a chunk ended the answer (a finish reason, or a blocked prompt).</summary>
    public bool IsComplete => _finishReason is not null || _blockReason is not null;

    /// <summary>Handles one chunk; returns the update to yield, or <see langword="null"/> when it carried no content.</summary>
    public ChatResponseUpdate? Add(GeminiResponse chunk)
    {
        GeminiResponseParser.ThrowIfError(chunk, provider);
        _responseId ??= chunk.ResponseId;
        _model ??= chunk.ModelVersion;
        _created ??= GeminiResponseParser.ParseTime(chunk.CreateTime);
        if (GeminiResponseParser.MapUsage(chunk.UsageMetadata) is { } usage)
        {
            _usage = usage;
        }

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
        return contents.Count == 0 ? null : NewUpdate(contents);
    }

    /// <summary>Called at EOF of a complete stream: the usage and the finish reason.</summary>
    public ChatResponseUpdate Complete()
    {
        List<AIContent> contents = _usage is null ? [] : [new UsageContent(_usage)];
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

    private ChatResponseUpdate NewUpdate(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _model,
        CreatedAt = _created,
    };
}
