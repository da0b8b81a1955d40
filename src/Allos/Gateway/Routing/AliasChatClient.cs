using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>A <see cref="Router"/> bound to one alias: what <see cref="Router.For"/> returns.</summary>
internal sealed class AliasChatClient(Router router, string alias, ChatClientMetadata metadata, Models.ModelInfo limits) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        router.GetResponseAsync(options?.ModelId ?? alias, messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        router.GetStreamingResponseAsync(options?.ModelId ?? alias, messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? metadata
            : serviceType == typeof(Models.ModelInfo) ? limits
            : serviceType == typeof(IInputTokenCounter) ? DeploymentTokenCounter.Of(router.FirstDeployment(alias))
            : router.GetService(serviceType, serviceKey);
    }

    // The Router is shared; the alias client owns nothing.
    public void Dispose()
    {
    }
}
