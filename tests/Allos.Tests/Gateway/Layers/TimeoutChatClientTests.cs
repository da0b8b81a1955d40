using Allos.Gateway;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Layers;

public sealed class TimeoutChatClientTests
{
    private readonly FakeTimeProvider _time = new();

    private static TestChatClient Hanging() => new()
    {
        Metadata = new ChatClientMetadata("openai", defaultModelId: "gpt-4o-mini"),
        GetResponseAsyncCallback = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        },
    };

    [Fact]
    public async Task GetResponseAsync_CallOutlastsTheTimeout_FailsAsTransientProviderTimeout()
    {
        using IChatClient client = Hanging().AsBuilder().UseTimeout(TimeSpan.FromSeconds(5), _time).Build();

        Task<ChatResponse> call = client.GetResponseAsync("hi");
        var error = await Should.ThrowAsync<ProviderTimeoutException>(() => LayerTestClock.RunAsync(_time, call, TimeSpan.FromSeconds(1)));

        error.Provider.ShouldBe("openai");
        error.IsTransient.ShouldBeTrue();
        error.Message.ShouldContain("00:00:05");
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_StaysACancellation()
    {
        using IChatClient client = Hanging().AsBuilder().UseTimeout(TimeSpan.FromMinutes(5), _time).Build();
        using var cancel = new CancellationTokenSource();

        Task<ChatResponse> call = client.GetResponseAsync("hi", cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task UseTimeout_InsideRetries_BoundsEachAttempt()
    {
        int calls = 0;
        var inner = Hanging();
        Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> hang = inner.GetResponseAsyncCallback!;
        inner.GetResponseAsyncCallback = (messages, options, ct) => ++calls == 1
            ? hang(messages, options, ct)
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "second attempt")));
        using IChatClient client = inner.AsBuilder()
            .UseRetries(options => { options.TimeProvider = _time; options.Delay = TimeSpan.Zero; })
            .UseTimeout(TimeSpan.FromSeconds(5), _time)
            .Build();

        ChatResponse response = await LayerTestClock.RunAsync(_time, client.GetResponseAsync("hi"), TimeSpan.FromSeconds(1));

        response.Text.ShouldBe("second attempt");
        calls.ShouldBe(2);
    }
}
