using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>
/// The stored form of a cached response: the JSON Microsoft.Extensions.AI writes for it (source-generated), which keeps
/// text, reasoning, tool calls, usage, finish reason and ids, and drops raw provider objects.
/// </summary>
/// <remarks>Caches keep this immutable form and deserialize on every hit, so no two callers share one response object.</remarks>
internal static class ResponseJson
{
    private static readonly JsonTypeInfo<ChatResponse> ResponseType = AllosJson.TypeInfo<ChatResponse>();

    public static byte[] SerializeToUtf8(ChatResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, ResponseType);

    public static string Serialize(ChatResponse response) => JsonSerializer.Serialize(response, ResponseType);

    public static ChatResponse Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, ResponseType) ?? throw new JsonException("A cached response is empty.");

    public static ChatResponse Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ResponseType) ?? throw new JsonException("A cached response is empty.");

    /// <summary>The instant <paramref name="timeToLive"/> after <paramref name="now"/>, saturating instead of overflowing.</summary>
    public static DateTimeOffset ExpiresAt(DateTimeOffset now, TimeSpan timeToLive) =>
        timeToLive >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + timeToLive;
}
