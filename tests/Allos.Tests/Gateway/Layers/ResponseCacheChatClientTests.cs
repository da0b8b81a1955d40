using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.Models;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Layers;

public sealed class ResponseCacheChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_SameRequestTwice_AnswersTheSecondFromTheCacheAtCostZero()
    {
        var inner = TestChatClient.Replying("first", "second");
        var cache = new MemoryResponseCache();
        using IChatClient client = inner.AsBuilder().UseResponseCache(cache).Build();

        (await client.GetResponseAsync("hi")).Text.ShouldBe("first");
        ChatResponse cached = await client.GetResponseAsync("hi");

        cached.Text.ShouldBe("first");
        ResponseCost.Get(cached).ShouldBe(0m);
        inner.Calls.Count.ShouldBe(1);
        (await client.GetResponseAsync("something else")).Text.ShouldBe("second");
    }

    [Fact]
    public async Task BrokenCache_IsAMiss_WholeAndStreamedCallsAreAnsweredByTheInnerClient()
    {
        var inner = TestChatClient.Replying("first", "second");
        var cache = new BrokenResponseCache();
        using IChatClient client = inner.AsBuilder().UseResponseCache(cache).Build();

        (await client.GetResponseAsync("hi")).Text.ShouldBe("first");
        (await client.GetStreamingResponseAsync("hi").ToChatResponseAsync()).Text.ShouldBe("second");

        inner.Calls.Count.ShouldBe(2);
        cache.Reads.ShouldBe(2);
        cache.Writes.ShouldBe(2);
    }

    [Fact]
    public async Task GetResponseAsync_RequestOptsOut_IsSentEveryTime()
    {
        var inner = TestChatClient.Replying("first", "second");
        var cache = new MemoryResponseCache();
        using IChatClient client = inner.AsBuilder().UseResponseCache(cache).Build();
        ChatOptions noCache = new ChatOptions().WithCache(false);

        (await client.GetResponseAsync("hi", noCache)).Text.ShouldBe("first");
        (await client.GetResponseAsync("hi", noCache)).Text.ShouldBe("second");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AfterAStreamedMiss_ReplaysTheAnswer()
    {
        var inner = TestChatClient.Replying("first", "second");
        var cache = new MemoryResponseCache();
        using IChatClient client = inner.AsBuilder().UseResponseCache(cache).Build();

        (await client.GetStreamingResponseAsync("hi").ToChatResponseAsync()).Text.ShouldBe("first");
        List<ChatResponseUpdate> replay = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            replay.Add(update);
        }

        replay.ToChatResponse().Text.ShouldBe("first");
        ResponseCost.Get(replay[^1]).ShouldBe(0m);
        inner.Calls.Count.ShouldBe(1);
    }
}
