using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>A stream whose first chunk has arrived: from here on it belongs to the caller and is no longer rerouted.</summary>
/// <param name="Stream">The open enumerator, positioned on <paramref name="First"/>.</param>
/// <param name="First">The first update with content or a finish reason, or <see langword="null"/> when the stream ended without one.</param>
/// <param name="Preamble">
/// The updates before <paramref name="First"/> that carry only their raw event (Anthropic's <c>message_start</c>), to be
/// passed on first; <see langword="null"/> when there were none. They do not commit the stream: an error after them is
/// still retried or falls back.
/// </param>
internal readonly record struct StreamStart(IAsyncEnumerator<ChatResponseUpdate> Stream, ChatResponseUpdate? First, List<ChatResponseUpdate>? Preamble = null);
