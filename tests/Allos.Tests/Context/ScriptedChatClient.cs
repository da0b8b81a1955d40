using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

/// <summary>A hand-written fake: answers each call with the next scripted function, and records what it was asked.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<IReadOnlyList<ChatMessage>, ChatResponse>> _script = new();

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public ScriptedChatClient Reply(string text)
    {
        _script.Enqueue(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
        return this;
    }

    public ScriptedChatClient Throw(Exception exception)
    {
        _script.Enqueue(_ => throw exception);
        return this;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<ChatMessage> list = [.. messages];
        Calls.Add((list, options));
        if (!_script.TryDequeue(out Func<IReadOnlyList<ChatMessage>, ChatResponse>? next))
        {
            throw new InvalidOperationException("The script is empty.");
        }

        return Task.FromResult(next(list));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
