using System.Runtime.CompilerServices;
using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Caching;

/// <summary>Answers repeated requests from an <see cref="IResponseCache"/>; a broken cache is a miss, never a failed call.</summary>
internal sealed class ResponseCacheChatClient : DelegatingChatClient
{
    private readonly IResponseCache _cache;
    private readonly ResponseCachingOptions _options;
    private readonly string? _defaultModel;

    public ResponseCacheChatClient(IChatClient inner, IResponseCache cache, ResponseCachingOptions options)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TimeToLive, TimeSpan.Zero, nameof(options.TimeToLive));
        _cache = cache;
        _options = options;
        _defaultModel = inner.GetService<ChatClientMetadata>()?.DefaultModelId;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        string? key = Key(messages, options);
        if (key is not null && await GetAsync(key, cancellationToken).ConfigureAwait(false) is ChatResponse cached)
        {
            ResponseCost.Set(cached, 0m);
            return cached;
        }

        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (key is not null && response.FinishReason != ChatFinishReason.ContentFilter)
        {
            await SetAsync(key, response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? key = Key(messages, options);
        if (key is not null && await GetAsync(key, cancellationToken).ConfigureAwait(false) is ChatResponse cached)
        {
            foreach (ChatResponseUpdate update in cached.ToChatResponseUpdates())
            {
                yield return update;
            }

            yield return ResponseCost.CreateUpdate(0m);
            yield break;
        }

        List<ChatResponseUpdate>? kept = key is null ? null : [];
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            kept?.Add(update);
            yield return update;
        }

        if (kept is not null && kept.ToChatResponse() is { } response && response.FinishReason != ChatFinishReason.ContentFilter)
        {
            await SetAsync(key!, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private string? Key(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.AdditionalProperties is { Count: > 0 } properties && properties.TryGetValue(RouterChatOptions.CacheKey, out object? enabled)
            && (enabled is false || (enabled is string text && bool.TryParse(text, out bool parsed) && !parsed)))
        {
            return null;
        }

        return ResponseCacheKey.Compute(options?.ModelId ?? _defaultModel ?? string.Empty, messages, options);
    }

    private ValueTask<ChatResponse?> GetAsync(string key, CancellationToken cancellationToken) =>
        _cache.TryGetAsync<object?>(key, failed: null, state: null, cancellationToken);

    private ValueTask SetAsync(string key, ChatResponse response, CancellationToken cancellationToken) =>
        _cache.TrySetAsync<object?>(key, response, _options.TimeToLive, failed: null, state: null, cancellationToken);
}
