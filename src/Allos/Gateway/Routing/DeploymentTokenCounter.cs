using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>
/// The exact counter of a routed alias: its first deployment's (by priority), as the gateway's <c>count_tokens</c> uses.
/// The request's model names the alias, not the deployment, so it is dropped and the deployment counts with its own.
/// </summary>
internal sealed class DeploymentTokenCounter(IInputTokenCounter inner) : IInputTokenCounter
{
    /// <summary>The counter of <paramref name="deployment"/>'s client, or <see langword="null"/> when it offers none.</summary>
    public static IInputTokenCounter? Of(DeploymentState deployment) =>
        deployment.Client.GetService<IInputTokenCounter>() is { } counter ? new DeploymentTokenCounter(counter) : null;

    /// <summary>Options without <see cref="ChatOptions.ModelId"/>, so the deployment's own model answers.</summary>
    public static ChatOptions? WithoutModel(ChatOptions? options)
    {
        if (options?.ModelId is null)
        {
            return options;
        }

        ChatOptions copy = options.Clone();
        copy.ModelId = null;
        return copy;
    }

    public Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.CountInputTokensAsync(messages, WithoutModel(options), cancellationToken);
}
