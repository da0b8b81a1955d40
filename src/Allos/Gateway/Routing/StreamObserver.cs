using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Watches a stream go by: sums its usage, notes its model and finish reason, and keeps the updates when the answer is to be cached.</summary>
internal sealed class StreamObserver(bool collect)
{
    private readonly List<ChatResponseUpdate>? _updates = collect ? [] : null;

    public UsageDetails? Usage { get; private set; }

    public string? ModelId { get; private set; }

    public ChatFinishReason? FinishReason { get; private set; }

    public string? ResponseId { get; private set; }

    public void Observe(ChatResponseUpdate update)
    {
        _updates?.Add(update);
        ModelId ??= update.ModelId;
        ResponseId ??= update.ResponseId;
        FinishReason = update.FinishReason ?? FinishReason;
        // Indexed: this runs once per streamed token, and foreach over IList<T> would box an enumerator each time.
        IList<AIContent> contents = update.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                if (Usage is null)
                {
                    Usage = new UsageDetails();
                }

                Usage.Add(usage.Details);
            }
        }
    }

    /// <summary>Returns the whole answer assembled from the kept updates, or <see langword="null"/> when none were kept.</summary>
    public ChatResponse? ToResponse() => _updates?.ToChatResponse();
}
