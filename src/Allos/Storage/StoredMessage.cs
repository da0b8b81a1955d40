using Microsoft.Extensions.AI;

namespace Allos.Storage;

/// <summary>A message as stored in a session.</summary>
/// <param name="Sequence">The message's position in the session, from 1; <see cref="ISessionStore.ForkAsync"/> takes it.</param>
/// <param name="Message">The message, at full fidelity.</param>
/// <param name="Created">When the message was stored.</param>
/// <param name="RunId">The run that added the message, if any.</param>
public sealed record StoredMessage(long Sequence, ChatMessage Message, DateTimeOffset Created, string? RunId);
