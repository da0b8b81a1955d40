using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>A stream whose first chunk has arrived: from here on it belongs to the caller and is no longer rerouted.</summary>
/// <param name="Stream">The open enumerator, positioned on <paramref name="First"/>.</param>
/// <param name="First">The first update, or <see langword="null"/> when the stream ended without any.</param>
internal readonly record struct StreamStart(IAsyncEnumerator<ChatResponseUpdate> Stream, ChatResponseUpdate? First);
