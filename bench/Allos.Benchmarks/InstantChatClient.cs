using Microsoft.Extensions.AI;

namespace Allos.Benchmarks;

/// <summary>
/// A provider client that answers at once, without looking at the request: a short text and usage, a new response per call
/// (as a real client builds one). Under it, a benchmark measures only what the layers above it do.
/// </summary>
internal sealed class InstantChatClient : IChatClient
{
    private static readonly ChatClientMetadata Metadata = new("openai", defaultModelId: "gpt-4o-mini");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris."))
        {
            Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 2, TotalTokenCount = 32 },
            FinishReason = ChatFinishReason.Stop,
        });

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The overhead benchmarks call the non-streaming path.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata : null;

    public void Dispose()
    {
    }
}
