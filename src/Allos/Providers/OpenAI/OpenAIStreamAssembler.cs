using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>
/// Turns Chat Completions chunks into updates. Text and reasoning pass through as they arrive; tool calls are assembled
/// from fragments (by <c>index</c>, or by <c>id</c> where a server omits the index) and emitted whole when the choice
/// finishes; usage is emitted at <c>[DONE]</c>, wherever it arrived. A chunk carrying only a call's pieces yields an
/// update with no contents whose <see cref="ChatResponseUpdate.RawRepresentation"/> is the chunk.
/// </summary>
/// <remarks>Not thread-safe: one instance per stream.</remarks>
internal sealed class OpenAIStreamAssembler(string provider)
{
    private readonly List<PendingCall> _calls = [];
    private string? _responseId;
    private string? _model;
    private DateTimeOffset? _created;
    private UsageDetails? _usage;
    private ChatFinishReason? _finishReason;
    private bool _callsFlushed;

    /// <summary>Gets a value indicating whether a chunk carried a choice: a stream of other objects is not an answer.</summary>
    public bool HasChoices { get; private set; }

    /// <summary>Gets a value indicating whether the choice finished (a <c>finish_reason</c> arrived).</summary>
    public bool Finished { get; private set; }

    /// <summary>Handles one chunk; returns the update to yield, or <see langword="null"/> when the chunk carried nothing to show yet.</summary>
    public ChatResponseUpdate? Add(OpenAIResponse chunk)
    {
        OpenAIResponseParser.ThrowIfError(chunk, provider);
        _responseId ??= string.IsNullOrEmpty(chunk.Id) ? null : chunk.Id;
        _model ??= string.IsNullOrEmpty(chunk.Model) ? null : chunk.Model;
        _created ??= OpenAIResponseParser.ToTime(chunk.Created);
        if ((chunk.Usage ?? chunk.XGroq?.Usage) is { } usage)
        {
            _usage = OpenAIResponseParser.MapUsage(usage);
        }

        // Azure's first chunk and the include_usage chunk have no choices; only the first choice is read (n = 1).
        if (chunk.Choices is not { Count: > 0 } choices || choices[0] is not { } choice)
        {
            return null;
        }

        HasChoices = true;
        List<AIContent>? contents = null;
        bool fragments = false;
        if (choice.Delta is { } delta)
        {
            if ((delta.ReasoningContent ?? delta.Reasoning ?? delta.Content.Thinking) is { Length: > 0 } reasoning)
            {
                (contents ??= []).Add(new TextReasoningContent(reasoning));
            }

            if (delta.Content.Text is { Length: > 0 } text)
            {
                (contents ??= []).Add(new TextContent(text));
            }

            if (delta.Refusal is { Length: > 0 } refusal)
            {
                (contents ??= []).Add(new TextContent(refusal));
                _finishReason = ChatFinishReason.ContentFilter;
            }

            // Citations come in a delta of their own; their offsets are into the whole answer's text.
            if (OpenAIResponseParser.Citations(delta.Annotations) is { } citations)
            {
                (contents ??= []).Add(new TextContent("") { Annotations = citations });
            }

            foreach (OpenAIToolCall fragment in delta.ToolCalls ?? [])
            {
                Accumulate(fragment);
                fragments = true;
            }
        }

        ChatFinishReason? finish = null;
        if (choice.FinishReason is { } reason)
        {
            Finished = true;
            finish = _finishReason ?? OpenAIResponseParser.MapFinishReason(reason);
            if (_calls.Count > 0 && finish == ChatFinishReason.Stop)
            {
                finish = ChatFinishReason.ToolCalls;
            }

            _finishReason = finish;
            contents = FlushCalls(contents);
        }

        if (contents is null && finish is null)
        {
            // A call's pieces: nothing to show yet, but the raw chunk lets a gateway stream the arguments as they come.
            return fragments ? NewUpdate([], finish: null, chunk) : null;
        }

        return NewUpdate(contents ?? [], finish);
    }

    /// <summary>Gets a value indicating whether the response's id, model and creation time are known, so later chunks' copies can be skipped.</summary>
    public bool KnowsResponse => _responseId is not null && _model is not null && _created is not null;

    /// <summary>
    /// Handles a chunk that carried one choice with only a text delta and nothing else (see <see cref="OpenAIChunkReader"/>):
    /// the same update <see cref="Add"/> would return for it.
    /// </summary>
    public ChatResponseUpdate? AddText(string? text)
    {
        HasChoices = true;
        return string.IsNullOrEmpty(text) ? null : NewUpdate([new TextContent(text)], finish: null);
    }

    /// <summary>Called at <c>[DONE]</c>, or at the end of a finished stream without it: emits calls never closed by a finish reason, and the usage.</summary>
    public ChatResponseUpdate? Complete()
    {
        List<AIContent>? contents = FlushCalls(null);
        if (_usage is not null)
        {
            (contents ??= []).Add(new UsageContent(_usage));
        }

        return contents is null ? null : NewUpdate(contents, finish: null);
    }

    private void Accumulate(OpenAIToolCall fragment)
    {
        PendingCall? call = null;
        if (fragment.Index is int index)
        {
            call = _calls.Find(c => c.Index == index);
        }
        else if (fragment.Id is null && _calls.Count > 0)
        {
            call = _calls[^1]; // a continuation without index or id extends the latest call
        }

        if (call is null || (fragment.Id is { Length: > 0 } id && call.Id is { Length: > 0 } && call.Id != id))
        {
            call = new PendingCall(fragment.Index ?? -1 - _calls.Count);
            _calls.Add(call);
        }

        if (fragment.Id is { Length: > 0 } newId)
        {
            call.Id = newId;
        }

        // Some servers send "name":"" on continuations: never overwrite a known name with an empty one.
        if (fragment.Function?.Name is { Length: > 0 } name)
        {
            call.Name = name;
        }

        if (fragment.Function?.Arguments is { Length: > 0 } arguments)
        {
            call.Arguments.Append(arguments);
        }
    }

    private List<AIContent>? FlushCalls(List<AIContent>? contents)
    {
        if (_callsFlushed || _calls.Count == 0)
        {
            return contents;
        }

        _callsFlushed = true;
        contents ??= [];
        for (int i = 0; i < _calls.Count; i++)
        {
            PendingCall call = _calls[i];
            contents.Add(WireContent.ParseCall(call.Id ?? WireContent.NewCallId(), call.Name ?? "", call.Arguments.ToString()));
        }

        return contents;
    }

    private ChatResponseUpdate NewUpdate(IList<AIContent> contents, ChatFinishReason? finish, OpenAIResponse? raw = null) => new(ChatRole.Assistant, contents)
    {
        RawRepresentation = raw,
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _model,
        CreatedAt = _created,
        FinishReason = finish,
    };

    private sealed class PendingCall(int index)
    {
        public int Index { get; } = index;

        public string? Id { get; set; }

        public string? Name { get; set; }

        public System.Text.StringBuilder Arguments { get; } = new();
    }
}
