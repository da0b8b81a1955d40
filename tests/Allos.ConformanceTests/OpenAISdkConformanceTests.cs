using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using AllosChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Allos.ConformanceTests;

/// <summary>
/// The official OpenAI .NET SDK is the referee for the fake server: if the SDK parses what the fake server sends (JSON and
/// SSE) into the same values our client reads, the fake server speaks the real format and our client reads it right.
/// </summary>
public sealed class OpenAISdkConformanceTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ChatClient SdkClient() =>
        new("gpt-4.1", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = _server.OpenAIEndpoint });

    private static FakeTurn[] Script() =>
    [
        FakeTurn.Empty()
            .WithText("Let me check both.")
            .WithToolCall("call_1", "get_weather", """{"city":"Paris","unit":"celsius"}""")
            .WithToolCall("call_2", "get_time", """{"zone":"Europe/Paris"}""")
            .WithUsage(120, 30, cachedInputTokens: 64, reasoningTokens: 8),
    ];

    [Fact]
    public async Task NonStreaming_SdkAndAllosReadTheSameCompletion()
    {
        _server.Enqueue(Script());
        _server.Enqueue(Script());

        ChatCompletion sdk = (await SdkClient().CompleteChatAsync([new UserChatMessage("Weather and time in Paris?")])).Value;
        ChatResponse ours = await _server.CreateClient("openai/gpt-4.1").GetResponseAsync("Weather and time in Paris?");

        sdk.Content.ShouldHaveSingleItem().Text.ShouldBe("Let me check both.");
        ours.Text.ShouldBe(sdk.Content[0].Text);
        sdk.FinishReason.ShouldBe(OpenAI.Chat.ChatFinishReason.ToolCalls);
        ours.FinishReason.ShouldBe(Microsoft.Extensions.AI.ChatFinishReason.ToolCalls);
        AssertSameCalls(sdk.ToolCalls.Select(c => (c.Id, c.FunctionName, c.FunctionArguments.ToString())), ours);
        AssertSameUsage(sdk.Usage, ours.Usage);
        ours.ModelId.ShouldBe(sdk.Model);
        ours.ResponseId.ShouldStartWith("chatcmpl-");
        sdk.Id.ShouldStartWith("chatcmpl-");
    }

    [Fact]
    public async Task Streaming_SdkAndAllosReadTheSameChunks()
    {
        _server.Enqueue(Script());
        _server.Enqueue(Script());

        var text = new System.Text.StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, System.Text.StringBuilder Args)>();
        ChatTokenUsage? usage = null;
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in SdkClient().CompleteChatStreamingAsync([new UserChatMessage("Weather and time in Paris?")]))
        {
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (StreamingChatToolCallUpdate call in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(call.Index, out var entry))
                {
                    entry = (call.ToolCallId, call.FunctionName, new System.Text.StringBuilder());
                    calls[call.Index] = entry;
                }

                entry.Args.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        ChatResponse ours = (await _server.CreateClient("openai/gpt-4.1").GetStreamingResponseAsync("Weather and time in Paris?").ToListAsync()).ToChatResponse();

        ours.Text.ShouldBe(text.ToString());
        finish.ShouldBe(OpenAI.Chat.ChatFinishReason.ToolCalls);
        ours.FinishReason.ShouldBe(Microsoft.Extensions.AI.ChatFinishReason.ToolCalls);
        AssertSameCalls(calls.Values.Select(c => (c.Id, c.Name, c.Args.ToString())), ours);
        usage.ShouldNotBeNull("the SDK saw no usage chunk: the fake server must send one when include_usage is asked");
        AssertSameUsage(usage, ours.Usage);
    }

    private static void AssertSameCalls(IEnumerable<(string Id, string Name, string Arguments)> sdkCalls, ChatResponse ours)
    {
        var expected = sdkCalls.ToList();
        FunctionCallContent[] actual = [.. ours.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        expected.Count.ShouldBe(2);
        actual.Length.ShouldBe(expected.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            actual[i].CallId.ShouldBe(expected[i].Id);
            actual[i].Name.ShouldBe(expected[i].Name);
            using JsonDocument sdkArgs = JsonDocument.Parse(expected[i].Arguments);
            foreach (JsonProperty property in sdkArgs.RootElement.EnumerateObject())
            {
                actual[i].Arguments![property.Name].ShouldBeOfType<JsonElement>().GetRawText().ShouldBe(property.Value.GetRawText());
            }

            actual[i].Arguments!.Count.ShouldBe(sdkArgs.RootElement.EnumerateObject().Count());
        }
    }

    private static void AssertSameUsage(ChatTokenUsage sdk, UsageDetails? ours)
    {
        ours.ShouldNotBeNull();
        ours.InputTokenCount.ShouldBe(sdk.InputTokenCount);
        ours.OutputTokenCount.ShouldBe(sdk.OutputTokenCount);
        ours.TotalTokenCount.ShouldBe(sdk.TotalTokenCount);
        ours.CachedInputTokenCount.ShouldBe(sdk.InputTokenDetails.CachedTokenCount);
        ours.ReasoningTokenCount.ShouldBe(sdk.OutputTokenDetails.ReasoningTokenCount);
        sdk.InputTokenCount.ShouldBe(120);
        sdk.InputTokenDetails.CachedTokenCount.ShouldBe(64);
    }
}
