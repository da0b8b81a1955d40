using System.ClientModel;
using System.Text;
using Allos.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Allos.ConformanceTests;

/// <summary>
/// The official OpenAI .NET SDK's <see cref="ChatClient"/> pointed at the gateway's /v1/chat/completions, with an OpenAI and
/// an Anthropic fake upstream behind it: what the SDK parses is what the upstream said.
/// </summary>
public sealed class GatewayOpenAISdkTests : IAsyncLifetime
{
    private FakeProviderServer _upstream = null!;
    private Router _router = null!;
    private WebApplication _gateway = null!;
    private Uri _endpoint = null!;

    public static TheoryData<string> Upstreams => new() { "oa", "an" };

    public async Task InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync();
        var options = new RouterOptions { MaxRetries = 0 };
        options.Groups.Add(Group("oa", "openai/gpt-4.1"));
        options.Groups.Add(Group("an", "anthropic/claude-sonnet-4-5"));
        _router = new Router(options);
        _gateway = Allos.Gateway.Server.GatewayServer.Create(new Allos.Gateway.Server.GatewayServerOptions { Router = _router, Port = 0 });
        await _gateway.StartAsync();
        string address = _gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(address.TrimEnd('/') + "/v1");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _router.Dispose();
        await _upstream.DisposeAsync();
    }

    private ModelGroup Group(string alias, string model) => new(alias, new Deployment(model)
    {
        Name = alias,
        ApiKey = "sk-upstream",
        Endpoint = _upstream.EndpointFor(model[..model.IndexOf('/', StringComparison.Ordinal)]),
    });

    private ChatClient Sdk(string alias) => new(alias, new ApiKeyCredential("sk-gateway"), new OpenAIClientOptions { Endpoint = _endpoint });

    private static ChatCompletionOptions WithTools() => new()
    {
        Tools =
        {
            ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")),
            ChatTool.CreateFunctionTool("get_time", "Time in a zone", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}}}""")),
        },
    };

    private static FakeTurn Script() => FakeTurn.Empty()
        .WithText("Let me check both.")
        .WithToolCall("call_1", "get_weather", """{"city":"Paris"}""")
        .WithToolCall("call_2", "get_time", """{"zone":"Europe/Paris"}""")
        .WithUsage(120, 30, cachedInputTokens: 64);

    [Theory]
    [MemberData(nameof(Upstreams))]
    public async Task CompleteChat_WithTools_SdkReadsTextCallsAndUsage(string alias)
    {
        _upstream.Enqueue(Script());

        ChatCompletion completion = (await Sdk(alias).CompleteChatAsync([new UserChatMessage("Weather and time in Paris?")], WithTools())).Value;

        completion.Id.ShouldStartWith("chatcmpl-");
        completion.Model.ShouldBe(alias);
        completion.Content.ShouldHaveSingleItem().Text.ShouldBe("Let me check both.");
        completion.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        completion.ToolCalls.Select(call => (call.Id, call.FunctionName, call.FunctionArguments.ToString()))
            .ShouldBe([("call_1", "get_weather", """{"city":"Paris"}"""), ("call_2", "get_time", """{"zone":"Europe/Paris"}""")]);
        completion.Usage.InputTokenCount.ShouldBe(120);
        completion.Usage.OutputTokenCount.ShouldBe(30);
        completion.Usage.InputTokenDetails.CachedTokenCount.ShouldBe(64);
        _upstream.Requests[^1].Body.ShouldContain("Weather for a city");
    }

    [Theory]
    [MemberData(nameof(Upstreams))]
    public async Task CompleteChatStreaming_WithTools_SdkAssemblesTextCallsAndUsage(string alias)
    {
        _upstream.Enqueue(Script());

        var text = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (StreamingChatCompletionUpdate update in Sdk(alias).CompleteChatStreamingAsync([new UserChatMessage("Weather and time in Paris?")], WithTools()))
        {
            update.Model.ShouldBe(alias);
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (StreamingChatToolCallUpdate call in update.ToolCallUpdates)
            {
                (string? Id, string? Name, StringBuilder Args) entry = calls.TryGetValue(call.Index, out var seen) ? seen : (null, null, new StringBuilder());
                entry.Id ??= call.ToolCallId;
                entry.Name ??= call.FunctionName;
                entry.Args.Append(call.FunctionArgumentsUpdate?.ToString());
                calls[call.Index] = entry;
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        text.ToString().ShouldBe("Let me check both.");
        finish.ShouldBe(ChatFinishReason.ToolCalls);
        calls.Values.Select(call => (call.Id, call.Name, call.Args.ToString()))
            .ShouldBe([("call_1", "get_weather", """{"city":"Paris"}"""), ("call_2", "get_time", """{"zone":"Europe/Paris"}""")]);

        // The SDK asks for include_usage itself: the usage chunk arrives after the finish chunk.
        usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(120);
        usage.OutputTokenCount.ShouldBe(30);
        usage.InputTokenDetails.CachedTokenCount.ShouldBe(64);
    }

    [Fact]
    public async Task CompleteChat_Upstream429_SdkThrowsWithTheStatus()
    {
        _upstream.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after", "3"));
        var sdk = new ChatClient("oa", new ApiKeyCredential("sk-gateway"), new OpenAIClientOptions { Endpoint = _endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

        ClientResultException error = await Should.ThrowAsync<ClientResultException>(() => sdk.CompleteChatAsync([new UserChatMessage("Hi")]));

        error.Status.ShouldBe(429);
        error.Message.ShouldContain("Rate limit reached");
    }
}
