namespace Allos.Gateway.Server.Keys;

/// <summary>What one admitted request holds against its key's team and user (each absent when the key has none): settled with the key's lease.</summary>
internal readonly record struct OwnerLeases(OwnerAccount? Team, RateLimitTicket TeamTicket, OwnerAccount? User, RateLimitTicket UserTicket);
