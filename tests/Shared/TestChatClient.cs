using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Shared;

/// <summary>A hand-written chat client that answers through callbacks, as Microsoft.Extensions.AI's own test client does, and records what it was asked.</summary>
/// <remarks>Safe to call concurrently. Without a streaming callback, streaming returns the non-streaming answer as updates.</remarks>
internal sealed class TestChatClient : IChatClient
{
    private readonly Lock _lock = new();
    private readonly List<(List<ChatMessage> Messages, ChatOptions? Options)> _calls = [];

    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? GetResponseAsyncCallback { get; set; }

    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? GetStreamingResponseAsyncCallback { get; set; }

    /// <summary>Gets a snapshot of the requests made so far, in call order.</summary>
    public IReadOnlyList<(List<ChatMessage> Messages, ChatOptions? Options)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Creates a client that answers each call with the next of <paramref name="replies"/>, and fails once they run out.</summary>
    public static TestChatClient Replying(params string[] replies)
    {
        var script = new Queue<string>(replies);
        var client = new TestChatClient();
        client.GetResponseAsyncCallback = (_, _, cancellationToken) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            string reply;
            lock (client._lock)
            {
                if (!script.TryDequeue(out reply!))
                {
                    throw new InvalidOperationException("The script is empty.");
                }
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
        };
        return client;
    }

    /// <summary>Creates a client that answers every call with <paramref name="text"/> (and some usage), after <paramref name="delay"/>, unless <paramref name="fail"/> returns an exception to throw.</summary>
    public static TestChatClient Answering(string text, TimeSpan delay = default, Func<Exception?>? fail = null) => new()
    {
        GetResponseAsyncCallback = async (_, _, cancellationToken) =>
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            if (fail?.Invoke() is Exception error)
            {
                throw error;
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };
        },
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> callback =
            GetResponseAsyncCallback ?? throw new InvalidOperationException($"Set {nameof(GetResponseAsyncCallback)} before calling.");
        return callback(Record(messages, options), options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsyncCallback is { } callback
            ? callback(Record(messages, options), options, cancellationToken)
            : StreamResponseAsync(messages, options, cancellationToken);

    /// <summary>Gets or sets what <see cref="GetService"/> returns for <see cref="ChatClientMetadata"/>: which provider and model the layers over this client believe they talk to.</summary>
    public ChatClientMetadata? Metadata { get; set; }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata : null;

    public void Dispose()
    {
    }

    private List<ChatMessage> Record(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        List<ChatMessage> list = [.. messages];
        lock (_lock)
        {
            _calls.Add((list, options));
        }

        return list;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
