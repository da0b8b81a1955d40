using Allos.Gateway;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Hosting;

/// <summary>Tags every request with the session id, so the Router records calls (and counts session budgets) per session.</summary>
internal sealed class SessionChatClient(IChatClient inner, string sessionId) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Tag(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Tag(options), cancellationToken);

    private ChatOptions Tag(ChatOptions? options) => (options?.Clone() ?? new ChatOptions()).WithSession(sessionId);
}
