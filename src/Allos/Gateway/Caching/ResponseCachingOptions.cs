namespace Allos.Gateway.Caching;

/// <summary>Configures the response-cache layer (<see cref="ResponseCacheChatClientBuilderExtensions.UseResponseCache"/>).</summary>
/// <remarks>
/// Exact-match: the key is a hash of the model (<see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>, else the
/// client's), the messages and the options, from Microsoft.Extensions.AI's own serialization. A request can opt out with
/// <see cref="RouterChatOptions.WithCache"/>(<see langword="false"/>). Answers stopped by a content filter are never
/// stored. MEAI's <c>UseDistributedCache</c> works too, over any <c>IDistributedCache</c>; this layer adds the Allos
/// caches (memory with a size bound, SQLite, PostgreSQL) and reports hits at cost 0.
/// </remarks>
public sealed class ResponseCachingOptions
{
    /// <summary>Gets or sets how long answers are kept.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(1);
}
