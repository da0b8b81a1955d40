using System.Text.Json;
using System.Text.Json.Nodes;

namespace Allos.IntegrationTests.Providers;

/// <summary>A tool result with a picture, as each codec sends it (the exact JSON the fake provider receives).</summary>
public sealed class ToolResultImageTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly string Base64 = Convert.ToBase64String(Png);

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Anthropic_ToolResultWithAnImage_SendsTextAndImageBlocks()
    {
        JsonElement messages = await SendAsync("anthropic/claude-sonnet-4-5", History(), "messages");

        AssertJson(messages[2], $$$"""
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":[
              {"type":"text","text":"Here:"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Base64}}}"}}
            ]}]}
            """);
    }

    [Fact]
    public async Task Anthropic_ToolResultWithAnImageTypeItCannotTake_SendsALineInstead()
    {
        List<ChatMessage> history = History(new DataContent(Png, "image/bmp"));

        JsonElement messages = await SendAsync("anthropic/claude-sonnet-4-5", history, "messages");

        AssertJson(messages[2].GetProperty("content")[0].GetProperty("content"), """
            [{"type":"text","text":"Here:"},{"type":"text","text":"[image: image/bmp, 8 bytes; not shown: Anthropic takes JPEG, PNG, GIF or WebP]"}]
            """);
    }

    [Fact]
    public async Task OpenAI_ToolResultWithAnImage_SendsTheTextAsTheToolMessageAndTheImageInAUserMessageAfterIt()
    {
        JsonElement messages = await SendAsync("openai/gpt-4o-mini", History(), "messages");

        messages.GetArrayLength().ShouldBe(4);
        AssertJson(messages[2], """{"role":"tool","content":"Here:\n[image: image/png, 8 bytes]","tool_call_id":"call_1"}""");
        AssertJson(messages[3], $$$"""
            {"role":"user","content":[
              {"type":"text","text":"Images from the result of tool call call_1:"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Base64}}}"}}
            ]}
            """);
    }

    [Fact]
    public async Task OpenAI_ResultsInSeveralToolMessages_ImagesComeAfterAllOfThemAndBeforeTheUserText()
    {
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Two shots?"),
            new(ChatRole.Assistant, [Call("call_1"), Call("call_2")]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", new List<AIContent> { new DataContent(Png, "image/png") })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_2", "no picture")]),
            new(ChatRole.User, "Compare them."),
        ];

        JsonElement messages = await SendAsync("openai/gpt-4o-mini", history, "messages");

        string[] roles = [.. messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!)];
        roles.ShouldBe(["user", "assistant", "tool", "tool", "user", "user"]);
        messages[4].GetProperty("content")[1].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("data:image/png;base64," + Base64);
        messages[5].GetProperty("content").GetString().ShouldBe("Compare them.");
    }

    [Fact]
    public async Task Gemini_ToolResultWithAnImage_SendsInlineDataAfterTheFunctionResponse()
    {
        JsonElement contents = await SendAsync("gemini/gemini-2.5-flash", History(), "contents");

        AssertJson(contents[2], $$$$"""
            {"role":"user","parts":[
              {"functionResponse":{"name":"shot","response":{"name":"shot","content":"Here:\n[image: image/png, 8 bytes]"}}},
              {"inlineData":{"mimeType":"image/png","data":"{{{{Base64}}}}"}}
            ]}
            """);
    }

    [Fact]
    public async Task Ollama_ToolResultWithAnImage_SendsItInTheToolMessagesImages()
    {
        JsonElement messages = await SendAsync("ollama/llama3.2", History(), "messages");

        AssertJson(messages[2], $$$"""{"role":"tool","content":"Here:\n[image: image/png, 8 bytes]","images":["{{{Base64}}}"],"tool_name":"shot","tool_call_id":"call_1"}""");
    }

    private static List<ChatMessage> History(DataContent? image = null) =>
    [
        new(ChatRole.User, "Screenshot?"),
        new(ChatRole.Assistant, [Call("call_1")]),
        new(ChatRole.Tool, [new FunctionResultContent("call_1", new List<AIContent> { new TextContent("Here:"), image ?? new DataContent(Png, "image/png") })]),
    ];

    private static FunctionCallContent Call(string id) => new(id, "shot", new Dictionary<string, object?>());

    private async Task<JsonElement> SendAsync(string model, List<ChatMessage> history, string property)
    {
        _server.Enqueue(FakeTurn.Text("ok"));
        await _server.CreateClient(model).GetResponseAsync(history);
        return _server.Requests.ShouldHaveSingleItem().Json.GetProperty(property);
    }

    private static void AssertJson(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"Expected {expectedNode?.ToJsonString()} but got {actualNode?.ToJsonString()}");
    }
}
