using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>Names one model in every request that names none, so a pipeline shared by many models serves this one.</summary>
internal sealed class ModelChatClient(IChatClient innerClient, string model) : DelegatingChatClient(innerClient)
{
    /// <summary>
    /// The model's limits come from the shared pipeline keyed by the model id (a pipeline serving many models can tell
    /// each one's), else from the pipeline itself.
    /// </summary>
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ModelInfo)
            ? base.GetService(serviceType, model) ?? base.GetService(serviceType)
            : base.GetService(serviceType, serviceKey);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithModel(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithModel(options), cancellationToken);

    // The caller's options are not changed: they may be shared between calls.
    private ChatOptions WithModel(ChatOptions? options)
    {
        if (options?.ModelId is not null)
        {
            return options;
        }

        ChatOptions copy = options?.Clone() ?? new ChatOptions();
        copy.ModelId = model;
        return copy;
    }

    // The shared pipeline belongs to the caller.
    protected override void Dispose(bool disposing)
    {
    }
}
