namespace Allos.IntegrationTests.Gateway;

/// <summary>A hand-written chat client that answers with its name, optionally after a delay, and counts calls.</summary>
public sealed class ScriptedClient(string name, TimeSpan delay = default) : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Func<Exception?>? Fail { get; set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (Fail?.Invoke() is Exception error)
        {
            throw error;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, name)) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
