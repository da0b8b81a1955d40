using System.Text.Json;
using Allos.Agents;
using Allos.Tools;
using Allos.Tools.BuiltIn;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Allos.IntegrationTests.Providers.HostedSearch;

/// <summary>
/// The providers' own web search (<see cref="HostedWebSearchTool"/>): what each codec sends, how the searches, pages and
/// citations come back (whole and streamed), and what goes back in the next turn.
/// </summary>
public sealed class HostedWebSearchTests : IAsyncLifetime
{
    private const string AnthropicBody = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
          {"type":"text","text":"I'll search for that."},
          {"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"claude shannon birth date"}},
          {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[
            {"type":"web_search_result","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_content":"EqgfCioIARgB","page_age":"April 30, 2025"},
            {"type":"web_search_result","url":"https://www.britannica.com/biography/Claude-Shannon","title":"Claude Shannon | Britannica","encrypted_content":"Eo8BCioIAhgB"}]},
          {"type":"text","text":"Claude Shannon was born on April 30, 1916.","citations":[
            {"type":"web_search_result_location","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_index":"Eo8BCioI","cited_text":"Claude Elwood Shannon (April 30, 1916 – February 24, 2001)"}]}],
         "stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":6039,"output_tokens":931,"server_tool_use":{"web_search_requests":1}}}
        """;

    private const string AnthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":2679,"output_tokens":3}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_02","name":"web_search","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"weather "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"NYC today\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_02","content":[{"type":"web_search_result","title":"Weather in New York City","url":"https://weather.example/nyc","encrypted_content":"Ev0DCioIAxgC","page_age":null}]}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"text","text":"","citations":[]}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","cited_text":"Sunny, 21 °C","url":"https://weather.example/nyc","title":"Weather in New York City","encrypted_index":"EpMBCioI"}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"It is sunny in New York."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":510,"server_tool_use":{"web_search_requests":1}}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    // "Zürich" has a two-byte ü: Gemini's offsets count bytes, so the second sentence starts at byte 30, character 29.
    private const string GeminiBody = """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Zürich won the 2024 contest. Bern came second."}]},"finishReason":"STOP","index":0,
          "groundingMetadata":{
            "webSearchQueries":["2024 contest winner"],
            "searchEntryPoint":{"renderedContent":"<div>…</div>"},
            "groundingChunks":[{"web":{"uri":"https://vertexaisearch.cloud.google.com/grounding-api-redirect/AAA","title":"news.example"}},{"web":{"uri":"https://vertexaisearch.cloud.google.com/grounding-api-redirect/BBB","title":"city.example"}}],
            "groundingSupports":[
              {"segment":{"endIndex":29,"text":"Zürich won the 2024 contest."},"groundingChunkIndices":[0]},
              {"segment":{"startIndex":30,"endIndex":47,"text":"Bern came second."},"groundingChunkIndices":[0,1]}]}}],
         "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":20,"totalTokenCount":32,"toolUsePromptTokenCount":90},
         "modelVersion":"gemini-2.5-flash","responseId":"resp-1"}
        """;

    private const string OpenAIBody = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741294021,"model":"gpt-4o-search-preview-2025-03-11",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Ada Lovelace wrote the first program ([example.org](https://example.org/ada)).","refusal":null,
           "annotations":[{"type":"url_citation","url_citation":{"end_index":76,"start_index":38,"title":"Ada Lovelace","url":"https://example.org/ada"}}]},
           "finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":20,"total_tokens":29}}
        """;

    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Anthropic_HostedSearch_SendsTheServerToolBesideFunctions_AndMapsSearchPagesCitationsAndUsage()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", AnthropicBody));
        var search = new HostedWebSearchTool(new Dictionary<string, object?> { ["max_uses"] = 3, ["allowed_domains"] = new[] { "wikipedia.org" } });
        var options = new ChatOptions { Tools = [search, AIFunctionFactory.Create((string city) => "sunny", "weather")] };

        ChatResponse response = await _server.CreateClient("anthropic/claude-sonnet-4-5").GetResponseAsync("When was Claude Shannon born?", options);

        JsonElement tools = _server.Requests[0].Json.GetProperty("tools");
        tools.GetArrayLength().ShouldBe(2);
        tools[0].GetProperty("name").GetString().ShouldBe("weather");
        tools[1].GetProperty("type").GetString().ShouldBe("web_search_20250305");
        tools[1].GetProperty("name").GetString().ShouldBe("web_search");
        tools[1].GetProperty("max_uses").GetInt32().ShouldBe(3);
        tools[1].GetProperty("allowed_domains")[0].GetString().ShouldBe("wikipedia.org");
        tools[1].TryGetProperty("input_schema", out _).ShouldBeFalse();

        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        WebSearchToolCallContent call = contents.OfType<WebSearchToolCallContent>().ShouldHaveSingleItem();
        call.CallId.ShouldBe("srvtoolu_01");
        call.Queries.ShouldBe(["claude shannon birth date"]);
        WebSearchToolResultContent result = contents.OfType<WebSearchToolResultContent>().ShouldHaveSingleItem();
        result.CallId.ShouldBe("srvtoolu_01");
        result.Outputs!.OfType<UriContent>().Select(u => u.Uri.AbsoluteUri)
            .ShouldBe(["https://en.wikipedia.org/wiki/Claude_Shannon", "https://www.britannica.com/biography/Claude-Shannon"]);
        contents.OfType<FunctionCallContent>().ShouldBeEmpty(); // the server ran the search: nothing for the agent to run

        CitationAnnotation citation = contents.OfType<TextContent>().Last().Annotations.ShouldNotBeNull().OfType<CitationAnnotation>().ShouldHaveSingleItem();
        citation.Url.ShouldBe(new Uri("https://en.wikipedia.org/wiki/Claude_Shannon"));
        citation.Title.ShouldBe("Claude Shannon - Wikipedia");
        citation.Snippet.ShouldStartWith("Claude Elwood Shannon (April 30, 1916");
        response.Text.ShouldContain("born on April 30, 1916.");
        response.Usage!.AdditionalCounts!["WebSearchRequests"].ShouldBe(1);
    }

    [Fact]
    public async Task Anthropic_NextTurn_SendsTheSearchBlocksBackAsTheyCame_EvenAfterTheHistoryWasSerialized()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", AnthropicBody), FakeTurn.Text("You're welcome."));
        IChatClient chat = _server.CreateClient("anthropic/claude-sonnet-4-5");
        var options = new ChatOptions { Tools = [new HostedWebSearchTool()] };
        List<ChatMessage> history = [new(ChatRole.User, "When was Claude Shannon born?")];
        history.AddMessages(await chat.GetResponseAsync(history, options));

        // A stored session comes back through JSON: the blocks must survive that, not only live objects.
        JsonTypeInfo message = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
        List<ChatMessage> restored = [.. history.Select(m => (ChatMessage)JsonSerializer.Deserialize(JsonSerializer.Serialize(m, message), message)!)];
        restored.Add(new ChatMessage(ChatRole.User, "Thanks"));
        await chat.GetResponseAsync(restored, options);

        JsonElement assistant = _server.Requests[1].Json.GetProperty("messages")[1];
        assistant.GetProperty("role").GetString().ShouldBe("assistant");
        string[] types = [.. assistant.GetProperty("content").EnumerateArray().Select(b => b.GetProperty("type").GetString()!)];
        types.ShouldBe(["text", "server_tool_use", "web_search_tool_result", "text"]);
        JsonElement use = assistant.GetProperty("content")[1];
        use.GetProperty("id").GetString().ShouldBe("srvtoolu_01");
        use.GetProperty("input").GetProperty("query").GetString().ShouldBe("claude shannon birth date");
        JsonElement found = assistant.GetProperty("content")[2];
        found.GetProperty("tool_use_id").GetString().ShouldBe("srvtoolu_01");
        found.GetProperty("content")[0].GetProperty("encrypted_content").GetString().ShouldBe("EqgfCioIARgB");
        found.GetProperty("content")[1].GetProperty("url").GetString().ShouldBe("https://www.britannica.com/biography/Claude-Shannon");
    }

    [Fact]
    public async Task Anthropic_Streamed_AssemblesTheSearchFromItsInputDeltas_AndCitationsFromCitationsDeltas()
    {
        _server.Enqueue(FakeTurn.Raw("text/event-stream", AnthropicStream));

        ChatResponse response = await _server.CreateClient("anthropic/claude-sonnet-4-5")
            .GetStreamingResponseAsync("Weather in NYC?", new ChatOptions { Tools = [new HostedWebSearchTool()] }).ToChatResponseAsync();

        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        contents.OfType<WebSearchToolCallContent>().ShouldHaveSingleItem().Queries.ShouldBe(["weather NYC today"]);
        contents.OfType<WebSearchToolResultContent>().ShouldHaveSingleItem().Outputs!.OfType<UriContent>().ShouldHaveSingleItem()
            .Uri.ShouldBe(new Uri("https://weather.example/nyc"));
        CitationAnnotation citation = contents.OfType<TextContent>().SelectMany(t => t.Annotations ?? []).OfType<CitationAnnotation>().ShouldHaveSingleItem();
        citation.Snippet.ShouldBe("Sunny, 21 °C");
        citation.Url.ShouldBe(new Uri("https://weather.example/nyc"));
        response.Text.ShouldBe("It is sunny in New York.");
        response.Usage!.AdditionalCounts!["WebSearchRequests"].ShouldBe(1);
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Gemini_HostedSearch_SendsGoogleSearch_AndCitesSpansInCharactersNotBytes()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", GeminiBody));

        ChatResponse response = await _server.CreateClient("gemini/gemini-2.5-flash")
            .GetResponseAsync("Who won?", new ChatOptions { Tools = [new HostedWebSearchTool()] });

        JsonElement request = _server.Requests[0].Json;
        request.GetProperty("tools").GetArrayLength().ShouldBe(1);
        request.GetProperty("tools")[0].GetProperty("googleSearch").GetRawText().ShouldBe("{}");
        request.TryGetProperty("toolConfig", out _).ShouldBeFalse(); // no function calling config without functions

        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        contents.OfType<WebSearchToolCallContent>().ShouldHaveSingleItem().Queries.ShouldBe(["2024 contest winner"]);
        contents.OfType<WebSearchToolResultContent>().ShouldHaveSingleItem().Outputs!.Count.ShouldBe(2);
        TextContent text = contents.OfType<TextContent>().ShouldHaveSingleItem();
        var citations = text.Annotations.ShouldNotBeNull().OfType<CitationAnnotation>().ToList();
        citations.Count.ShouldBe(3); // one per page and supported span
        foreach (CitationAnnotation citation in citations)
        {
            var span = (TextSpanAnnotatedRegion)citation.AnnotatedRegions.ShouldHaveSingleItem();
            text.Text[span.StartIndex!.Value..span.EndIndex!.Value].ShouldBe(citation.Snippet);
        }

        citations[2].Title.ShouldBe("city.example");
        citations[2].Url!.AbsoluteUri.ShouldEndWith("/BBB");
        response.Text.ShouldBe("Zürich won the 2024 contest. Bern came second.");
    }

    [Fact]
    public async Task Gemini_Streamed_CarriesTheGroundingOfTheLastChunk_AndTheNextTurnLeavesTheRecordsOut()
    {
        string grounding = JsonNode.Parse(GeminiBody)!["candidates"]![0]!["groundingMetadata"]!.ToJsonString();
        _server.Enqueue(FakeTurn.Raw("text/event-stream",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Zürich won the 2024 contest.\"}]},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r2\"}\r\n\r\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\" Bern came second.\"}]},\"finishReason\":\"STOP\",\"index\":0,\"groundingMetadata\":" + grounding + "}],"
            + "\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":20,\"totalTokenCount\":32},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r2\"}\r\n\r\n"),
            FakeTurn.Text("Bern, yes."));
        IChatClient chat = _server.CreateClient("gemini/gemini-2.5-flash");
        var options = new ChatOptions { Tools = [new HostedWebSearchTool()] };
        List<ChatMessage> history = [new(ChatRole.User, "Who won?")];

        ChatResponse response = await chat.GetStreamingResponseAsync(history, options).ToChatResponseAsync();

        response.Text.ShouldBe("Zürich won the 2024 contest. Bern came second.");
        IList<AIContent> contents = response.Messages.ShouldHaveSingleItem().Contents;
        contents.OfType<WebSearchToolCallContent>().ShouldHaveSingleItem().Queries.ShouldBe(["2024 contest winner"]);
        var citations = contents.OfType<TextContent>().SelectMany(t => t.Annotations ?? []).OfType<CitationAnnotation>().ToList();
        citations.Select(c => c.Snippet).ShouldBe(["Zürich won the 2024 contest.", "Bern came second.", "Bern came second."]);

        history.AddMessages(response);
        history.Add(new ChatMessage(ChatRole.User, "Second?"));
        await chat.GetResponseAsync(history, options);
        JsonElement model = _server.Requests[1].Json.GetProperty("contents")[1];
        model.GetProperty("role").GetString().ShouldBe("model");
        string sent = model.GetRawText();
        sent.ShouldNotContain("grounding");
        sent.ShouldNotContain("2024 contest winner");
        string.Concat(model.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("text").GetString())).ShouldBe("Zürich won the 2024 contest. Bern came second.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAI_SearchModel_SendsWebSearchOptions_AndMapsUrlCitationsWithTheirSpan(bool streaming)
    {
        string text = JsonDocument.Parse(OpenAIBody).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        _server.Enqueue(streaming
            ? FakeTurn.Raw("text/event-stream",
                "data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-search-preview\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + JsonValue.Create(text).ToJsonString() + "}}]}\n\n",
                "data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-search-preview\",\"choices\":[{\"index\":0,\"delta\":{\"annotations\":[{\"type\":\"url_citation\",\"url_citation\":{\"end_index\":76,\"start_index\":38,\"title\":\"Ada Lovelace\",\"url\":\"https://example.org/ada\"}}]}}]}\n\n",
                "data: {\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-search-preview\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                "data: [DONE]\n\n")
            : FakeTurn.Raw("application/json", OpenAIBody));
        IChatClient chat = _server.CreateClient("openai/gpt-4o-search-preview");
        var options = new ChatOptions { Tools = [new HostedWebSearchTool(new Dictionary<string, object?> { ["search_context_size"] = "low" })] };

        ChatResponse response = streaming
            ? await chat.GetStreamingResponseAsync("Who wrote the first program?", options).ToChatResponseAsync()
            : await chat.GetResponseAsync("Who wrote the first program?", options);

        JsonElement request = _server.Requests[0].Json;
        request.GetProperty("web_search_options").GetProperty("search_context_size").GetString().ShouldBe("low");
        request.TryGetProperty("tools", out _).ShouldBeFalse();
        response.Text.ShouldBe(text);
        CitationAnnotation citation = response.Messages.SelectMany(m => m.Contents).OfType<TextContent>()
            .SelectMany(t => t.Annotations ?? []).OfType<CitationAnnotation>().ShouldHaveSingleItem();
        citation.Url.ShouldBe(new Uri("https://example.org/ada"));
        citation.Title.ShouldBe("Ada Lovelace");
        var span = (TextSpanAnnotatedRegion)citation.AnnotatedRegions.ShouldHaveSingleItem();
        text[span.StartIndex!.Value..span.EndIndex!.Value].ShouldBe("[example.org](https://example.org/ada)");
    }

    [Fact]
    public async Task ProviderWithoutHostedSearch_RefusesTheTool_NamingTheBuiltInOne_BeforeAnyRequest()
    {
        var options = new ChatOptions { Tools = [new HostedWebSearchTool()] };

        var error = await Should.ThrowAsync<FeatureNotSupportedException>(
            () => _server.CreateClient("ollama/llama3.2").GetResponseAsync("Search", options));

        error.Message.ShouldContain("web_search");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task HistoryWithAnotherProvidersSearch_IsSentWithoutTheRecords_ToOpenAIOllamaAndBedrock()
    {
        _server.Enqueue(FakeTurn.Raw("application/json", AnthropicBody), FakeTurn.Text("one"), FakeTurn.Text("two"));
        List<ChatMessage> history = [new(ChatRole.User, "When was Claude Shannon born?")];
        history.AddMessages(await _server.CreateClient("anthropic/claude-sonnet-4-5").GetResponseAsync(history, new ChatOptions { Tools = [new HostedWebSearchTool()] }));
        history.Add(new ChatMessage(ChatRole.User, "And where?"));

        await _server.CreateClient("openai/gpt-4o-mini").GetResponseAsync(history);
        await _server.CreateClient("ollama/llama3.2").GetResponseAsync(history);
        _server.Enqueue(FakeTurn.Text("three"));
        await _server.CreateClient("bedrock/amazon.nova-lite-v1:0").GetResponseAsync(history);
        JsonElement converse = _server.Requests[3].Json.GetProperty("messages")[1];
        converse.GetProperty("role").GetString().ShouldBe("assistant");
        converse.GetRawText().ShouldNotContain("srvtoolu_01");
        string.Concat(converse.GetProperty("content").EnumerateArray().Select(b => b.GetProperty("text").GetString())).ShouldBe("I'll search for that.Claude Shannon was born on April 30, 1916.");

        foreach (RecordedRequest request in _server.Requests.Skip(1).Take(2))
        {
            JsonElement assistant = request.Json.GetProperty("messages")[1];
            assistant.GetProperty("role").GetString().ShouldBe("assistant");
            assistant.GetProperty("content").GetString().ShouldBe("I'll search for that.Claude Shannon was born on April 30, 1916.");
            assistant.GetRawText().ShouldNotContain("srvtoolu_01");
        }
    }

    [Fact]
    public async Task Agent_WithHostedWebSearch_DeclaresTheProvidersSearchBesideItsTools_AndResumesAPausedTurn()
    {
        // Anthropic pauses a long server-tool turn (pause_turn): the agent sends the history back and the search goes on.
        string paused = AnthropicStream.Replace("\"stop_reason\":\"end_turn\"", "\"stop_reason\":\"pause_turn\"", StringComparison.Ordinal);
        paused.ShouldContain("pause_turn");
        _server.Enqueue(FakeTurn.Raw("text/event-stream", paused), FakeTurn.Text("He was born in Petoskey."));
        var agent = new AgentDefinition { Name = "researcher", Model = "anthropic/claude-sonnet-4-5", Tools = [BuiltInTools.HostedWebSearch, "read_file"] };
        var runner = new AgentRunner(agent, new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Tools = ToolRegistry.CreateWithBuiltIns() });

        RunResult result = await runner.RunAsync("When and where was Claude Shannon born?");

        result.Status.ShouldBe(RunStatus.Completed, result.Error?.ToString());
        result.Text.ShouldBe("He was born in Petoskey.");
        _server.Requests.Count.ShouldBe(2);
        string[] tools = [.. _server.Requests[0].Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
        tools.ShouldBe(["read_file", "web_search"]);
        JsonElement resumed = _server.Requests[1].Json.GetProperty("messages");
        resumed.GetArrayLength().ShouldBe(2, "the paused answer goes back as the last message, with no new user turn");
        string[] blocks = [.. resumed[1].GetProperty("content").EnumerateArray().Select(b => b.GetProperty("type").GetString()!)];
        blocks.ShouldBe(["server_tool_use", "web_search_tool_result", "text"]);
    }

    [Fact]
    public void ToolRegistry_HostedWebSearch_IsNoRegistryTool_SoAgentsAndFlagsMayNameIt()
    {
        var registry = ToolRegistry.CreateWithBuiltIns();

        registry.Resolve([BuiltInTools.HostedWebSearch, "read_file"]).Select(t => t.Name).ShouldBe(["read_file"]);
        registry.Names.ShouldNotContain(BuiltInTools.HostedWebSearch);
    }
}
