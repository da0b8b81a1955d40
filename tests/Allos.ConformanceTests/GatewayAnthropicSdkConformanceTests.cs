using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Server;
using Anthropic;
using Microsoft.AspNetCore.Builder;

namespace Allos.ConformanceTests;

/// <summary>
/// The official Anthropic .NET SDK (package Anthropic 13.12.0, through its <see cref="IChatClient"/> adapter) pointed at
/// the gateway's <c>/v1/messages</c>, whole and streamed, with a tool round trip, over an Anthropic and an OpenAI fake
/// upstream: the SDK reads the gateway's answers as it reads Anthropic's.
/// </summary>
public sealed class GatewayAnthropicSdkConformanceTests : IAsyncLifetime
{
    private FakeProviderServer _upstream = null!;
    private Router _router = null!;
    private WebApplication _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync();
        var options = new RouterOptions { MaxRetries = 0 };
        options.Groups.Add(new ModelGroup("claude", new Deployment("anthropic/claude-sonnet-4-5") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("anthropic") }));
        options.Groups.Add(new ModelGroup("gpt", new Deployment("openai/gpt-4o-mini") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("openai") }));
        _router = new Router(options);
        _gateway = GatewayServer.Create(new GatewayServerOptions { Router = _router, Port = 0 });
        await _gateway.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _router.Dispose();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string, bool> Cases => new()
    {
        { "claude", false },
        { "claude", true },
        { "gpt", false },
        { "gpt", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sdk_ToolRoundTripThroughTheGateway_ReadsCallsTextUsageAndFinishReason(string alias, bool streaming)
    {
        using IChatClient sdk = new AnthropicClient { ApiKey = "sk-gateway", BaseUrl = _gateway.Urls.First().TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient(alias, defaultMaxOutputTokens: 1024);
        AIFunction weather = AIFunctionFactory.Create((string location) => "15 degrees", "get_weather", "Gets the weather.");
        var options = new ChatOptions { Tools = [weather] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];

        _upstream.Enqueue(FakeTurn.Text("Let me check.").WithToolCall("toolu_01A", "get_weather", """{"location":"Paris"}""").WithUsage(50, 20));
        ChatResponse first = await AskAsync(sdk, history, options, streaming);

        first.Text.ShouldBe("Let me check.");
        FunctionCallContent call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("toolu_01A");
        call.Name.ShouldBe("get_weather");
        JsonSerializer.Serialize(call.Arguments).ShouldBe("""{"location":"Paris"}""");
        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        first.Usage!.InputTokenCount.ShouldBe(50);
        first.Usage.OutputTokenCount.ShouldBe(20);
        RecordedRequest sent = _upstream.Requests[^1];
        sent.Streaming.ShouldBe(streaming);
        sent.Body.ShouldContain("get_weather");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01A", "15 degrees")]));
        _upstream.Enqueue(FakeTurn.Text("It is 15 degrees in Paris.").WithUsage(80, 9));
        ChatResponse second = await AskAsync(sdk, history, options, streaming);

        second.Text.ShouldBe("It is 15 degrees in Paris.");
        second.FinishReason.ShouldBe(ChatFinishReason.Stop);
        second.Usage!.OutputTokenCount.ShouldBe(9);

        // The tool result reached the upstream in its own format.
        string upstreamBody = _upstream.Requests[^1].Body;
        upstreamBody.ShouldContain("toolu_01A");
        upstreamBody.ShouldContain("15 degrees");
        upstreamBody.ShouldContain(alias == "claude" ? "\"tool_result\"" : "\"role\":\"tool\"");
    }

    private static Task<ChatResponse> AskAsync(IChatClient sdk, List<ChatMessage> history, ChatOptions options, bool streaming) => streaming
        ? sdk.GetStreamingResponseAsync(history, options).ToChatResponseAsync()
        : sdk.GetResponseAsync(history, options);
}
