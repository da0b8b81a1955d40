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
/// The official OpenAI .NET SDK's <see cref="ChatClient"/> pointed at the gateway's /v1/chat/completions, with an OpenAI,
/// Anthropic, Gemini and Ollama fake upstream behind it: what the SDK parses is what the upstream said. Cached and reasoning
/// tokens are checked where the upstream reports them (Ollama reports neither: 0, as OpenAI sends unknown details).
/// </summary>
public sealed class GatewayOpenAISdkTests : IAsyncLifetime
{
    private FakeProviderServer _upstream = null!;
    private Router _router = null!;
    private WebApplication _gateway = null!;
    private Uri _endpoint = null!;

    public static TheoryData<string> Upstreams => new() { "oa", "an", "ge", "ol" };

    public async Task InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync();
        var options = new RouterOptions { MaxRetries = 0 };
        options.Groups.Add(Group("oa", "openai/gpt-4.1"));
        options.Groups.Add(Group("an", "anthropic/claude-sonnet-4-5"));
        options.Groups.Add(Group("ge", "gemini/gemini-2.5-flash"));
        options.Groups.Add(Group("ol", "ollama/llama3.1"));
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
        .WithUsage(120, 30, cachedInputTokens: 64, reasoningTokens: 12);

    /// <summary>The upstream's call ids; Gemini's calls have none, so the gateway gives each its own.</summary>
    private static void CheckIds(string alias, string?[] ids)
    {
        if (alias == "ge")
        {
            ids.ShouldAllBe(id => id != null && id.StartsWith("call_"));
            ids.Distinct().Count().ShouldBe(ids.Length);
        }
        else
        {
            ids.ShouldBe(["call_1", "call_2"]);
        }
    }

    /// <summary>Ollama reports no cached or reasoning tokens.</summary>
    private static (int Cached, int Reasoning) Details(string alias) => alias == "ol" ? (0, 0) : (64, 12);

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
        completion.ToolCalls.Select(call => (call.FunctionName, call.FunctionArguments.ToString()))
            .ShouldBe([("get_weather", """{"city":"Paris"}"""), ("get_time", """{"zone":"Europe/Paris"}""")]);
        CheckIds(alias, [.. completion.ToolCalls.Select(call => call.Id)]);
        completion.Usage.InputTokenCount.ShouldBe(120);
        completion.Usage.OutputTokenCount.ShouldBe(30);
        completion.Usage.InputTokenDetails.CachedTokenCount.ShouldBe(Details(alias).Cached);
        completion.Usage.OutputTokenDetails.ReasoningTokenCount.ShouldBe(Details(alias).Reasoning);
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
        calls.Values.Select(call => (call.Name, call.Args.ToString()))
            .ShouldBe([("get_weather", """{"city":"Paris"}"""), ("get_time", """{"zone":"Europe/Paris"}""")]);
        CheckIds(alias, [.. calls.Values.Select(call => call.Id)]);

        // The SDK asks for include_usage itself: the usage chunk arrives after the finish chunk.
        usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(120);
        usage.OutputTokenCount.ShouldBe(30);
        usage.InputTokenDetails.CachedTokenCount.ShouldBe(Details(alias).Cached);
        usage.OutputTokenDetails.ReasoningTokenCount.ShouldBe(Details(alias).Reasoning);
    }

    [Theory]
    [InlineData("oa", "\"url\":\"data:image/png;base64,")]
    [InlineData("an", "\"media_type\":\"image/png\",\"data\":\"")]
    [InlineData("ge", "\"mimeType\":\"image/png\",\"data\":\"")]
    [InlineData("ol", "\"images\":[\"")]
    public async Task CompleteChat_DataUriImage_ReachesTheUpstreamInItsFormat(string alias, string expected)
    {
        byte[] png = Convert.FromBase64String(Pixel);
        _upstream.Enqueue(FakeTurn.Text("A red pixel."));

        ChatCompletion completion = (await Sdk(alias).CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is this?"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"))])).Value;

        completion.Content.ShouldHaveSingleItem().Text.ShouldBe("A red pixel.");
        string body = _upstream.Requests[^1].Body.Replace(" ", "", StringComparison.Ordinal);
        body.ShouldContain(expected + Pixel.TrimEnd('='));
    }

    private const string Pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

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
