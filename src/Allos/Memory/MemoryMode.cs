namespace Allos.Memory;

/// <summary>What an agent remembers of the user's earlier sessions.</summary>
public enum MemoryMode
{
    /// <summary>Nothing beyond the session's own history (the default).</summary>
    None,

    /// <summary>
    /// Before a run, the messages of earlier sessions that best match the input are added as one marked context message
    /// (<see cref="MemoryRecall"/>).
    /// </summary>
    Recall,
}
