using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Server;
using Anthropic;
using Microsoft.AspNetCore.Builder;

namespace Allos.ConformanceTests;

/// <summary>
/// The official Anthropic .NET SDK (package Anthropic 13.12.0, through its <see cref="IChatClient"/> adapter) pointed at
/// the gateway's <c>/v1/messages</c>, whole and streamed, with a tool round trip, over an Anthropic, OpenAI, Gemini and
/// Ollama fake upstream: the SDK reads the gateway's answers as it reads Anthropic's.
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
        options.Groups.Add(new ModelGroup("gemini", new Deployment("gemini/gemini-2.5-flash") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("gemini") }));
        options.Groups.Add(new ModelGroup("llama", new Deployment("ollama/llama3.1") { ApiKey = "sk-upstream", Endpoint = _upstream.EndpointFor("ollama") }));
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
        { "gemini", false },
        { "gemini", true },
        { "llama", false },
        { "llama", true },
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

        _upstream.Enqueue(FakeTurn.Text("Let me check.")
            .WithToolCall("toolu_01A", "get_weather", """{"location":"Paris"}""")
            .WithToolCall("toolu_01B", "get_weather", """{"location":"Lyon"}""")
            .WithUsage(50, 20, cachedInputTokens: alias == "llama" ? 0 : 30));
        ChatResponse first = await AskAsync(sdk, history, options, streaming);

        first.Text.ShouldBe("Let me check.");
        FunctionCallContent[] calls = [.. first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        calls.Select(c => (c.Name, JsonSerializer.Serialize(c.Arguments))).ShouldBe([("get_weather", """{"location":"Paris"}"""), ("get_weather", """{"location":"Lyon"}""")]);

        // Gemini's calls carry no id: the gateway gives each its own.
        string callId = calls[0].CallId;
        if (alias != "gemini")
        {
            calls.Select(c => c.CallId).ShouldBe(["toolu_01A", "toolu_01B"]);
        }

        calls[1].CallId.ShouldNotBe(callId);
        first.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);

        // Anthropic's input_tokens leave out the cached part; the adapter adds it back.
        first.Usage!.InputTokenCount.ShouldBe(50);
        first.Usage.OutputTokenCount.ShouldBe(20);
        first.Usage.CachedInputTokenCount.ShouldBe(alias == "llama" ? 0 : 30);
        RecordedRequest sent = _upstream.Requests[^1];
        sent.Streaming.ShouldBe(streaming);
        sent.Body.ShouldContain("get_weather");

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, "15 degrees"), new FunctionResultContent(calls[1].CallId, "12 degrees")]));
        _upstream.Enqueue(FakeTurn.Text("It is 15 degrees in Paris.").WithUsage(80, 9));
        ChatResponse second = await AskAsync(sdk, history, options, streaming);

        second.Text.ShouldBe("It is 15 degrees in Paris.");
        second.FinishReason.ShouldBe(ChatFinishReason.Stop);
        second.Usage!.OutputTokenCount.ShouldBe(9);

        // The tool result reached the upstream in its own format.
        string upstreamBody = _upstream.Requests[^1].Body;
        upstreamBody.ShouldContain("15 degrees");
        upstreamBody.ShouldContain("12 degrees");
        upstreamBody.ShouldContain(alias switch
        {
            "claude" => "\"tool_result\"",
            "gemini" => "\"functionResponse\"",
            _ => "\"role\":\"tool\"",
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sdk_ThinkingFromAnthropic_KeepsTheSignatureByteForByte(bool streaming)
    {
        // A signature with the characters a careless writer would escape or trim: +, /, = and a long run.
        string signature = "EqQBCkYIARABGAIiQL+/w==" + new string('A', 300) + "/z+9==";
        using IChatClient sdk = new AnthropicClient { ApiKey = "sk-gateway", BaseUrl = _gateway.Urls.First().TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient("claude", defaultMaxOutputTokens: 2048);
        _upstream.Enqueue(FakeTurn.Empty().WithReasoning("Two and two make four.", signature).WithText("4").WithUsage(20, 15, reasoningTokens: 9));

        ChatResponse answer = await AskAsync(sdk, [new(ChatRole.User, "2+2?")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } }, streaming);

        answer.Text.ShouldBe("4");
        TextReasoningContent thinking = answer.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ShouldHaveSingleItem();
        thinking.Text.ShouldBe("Two and two make four.");
        thinking.ProtectedData.ShouldBe(signature);
        _upstream.Requests[^1].Body.ShouldContain("\"thinking\"");
    }

    private static Task<ChatResponse> AskAsync(IChatClient sdk, List<ChatMessage> history, ChatOptions options, bool streaming) => streaming
        ? sdk.GetStreamingResponseAsync(history, options).ToChatResponseAsync()
        : sdk.GetResponseAsync(history, options);
}
