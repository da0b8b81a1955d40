using System.Text.Json;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Caching;

public sealed class ResponseCacheKeyTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static List<ChatMessage> Messages() =>
    [
        new(ChatRole.System, "Be brief."),
        new(ChatRole.User, [new TextContent("Describe this."), new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new UriContent("https://example.com/a.png", "image/png")])
        {
            AuthorName = "ann",
        },
        new(ChatRole.Assistant, [new TextReasoningContent("thinking"), new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" })]),
        new(ChatRole.Tool, [new FunctionResultContent("call-1", "found it")]),
        new(ChatRole.User, [new ToolApprovalResponseContent("req-1", true, new FunctionCallContent("call-2", "delete"))]),
    ];

    private static ChatOptions Options() => new()
    {
        Instructions = "Answer in French.",
        Temperature = 0.5f,
        TopP = 0.9f,
        TopK = 40,
        MaxOutputTokens = 500,
        Seed = 7,
        FrequencyPenalty = 0.1f,
        PresencePenalty = 0.2f,
        StopSequences = ["END"],
        ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","properties":{"x":{"type":"string"}}}"""), "answer", "The answer."),
        ToolMode = ChatToolMode.Auto,
        AllowMultipleToolCalls = true,
        Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low, Output = ReasoningOutput.Summary },
        Tools =
        [
            AIFunctionFactory.CreateDeclaration("lookup", "Looks up a word.", Json("""{"type":"object","properties":{"word":{"type":"string"}}}""")),
            new HostedWebSearchTool(),
        ],
        AdditionalProperties = new() { ["custom"] = "v", ["other"] = 3 },
    };

    private static string Key(Action<List<ChatMessage>, ChatOptions>? change = null, string alias = "fast")
    {
        List<ChatMessage> messages = Messages();
        ChatOptions options = Options();
        change?.Invoke(messages, options);
        return ResponseCacheKey.Compute(alias, messages, options) ?? throw new InvalidOperationException("The request has no key.");
    }

    private static readonly Dictionary<string, Action<List<ChatMessage>, ChatOptions>> IncludedChanges = new()
    {
        ["role"] = (m, _) => m[0].Role = ChatRole.User,
        ["author name"] = (m, _) => m[1].AuthorName = "bob",
        ["text"] = (m, _) => m[1].Contents[0] = new TextContent("Describe that."),
        ["message added"] = (m, _) => m.Add(new ChatMessage(ChatRole.User, "More.")),
        ["content order"] = (m, _) => (m[1].Contents[0], m[1].Contents[2]) = (m[1].Contents[2], m[1].Contents[0]),
        ["reasoning text"] = (m, _) => m[2].Contents[0] = new TextReasoningContent("pondering"),
        ["reasoning protected data"] = (m, _) => m[2].Contents[0] = new TextReasoningContent("thinking") { ProtectedData = "sig" },
        ["data bytes"] = (m, _) => m[1].Contents[1] = new DataContent(new byte[] { 1, 2, 4 }, "image/png"),
        ["data media type"] = (m, _) => m[1].Contents[1] = new DataContent(new byte[] { 1, 2, 3 }, "image/jpeg"),
        ["uri"] = (m, _) => m[1].Contents[2] = new UriContent("https://example.com/b.png", "image/png"),
        ["uri media type"] = (m, _) => m[1].Contents[2] = new UriContent("https://example.com/a.png", "image/jpeg"),
        ["call id"] = (m, _) => m[2].Contents[1] = new FunctionCallContent("call-2", "lookup", new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" }),
        ["call name"] = (m, _) => m[2].Contents[1] = new FunctionCallContent("call-1", "find", new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" }),
        ["call argument value"] = (m, _) => m[2].Contents[1] = new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["a"] = 2, ["b"] = "x" }),
        ["call argument type"] = (m, _) => m[2].Contents[1] = new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["a"] = "1", ["b"] = "x" }),
        ["result call id"] = (m, _) => m[3].Contents[0] = new FunctionResultContent("call-9", "found it"),
        ["result"] = (m, _) => m[3].Contents[0] = new FunctionResultContent("call-1", "lost it"),
        ["structured result"] = (m, _) => m[3].Contents[0] = new FunctionResultContent("call-1", Json("""{"n":1}""")),
        ["error content"] = (m, _) => m[3].Contents.Add(new ErrorContent("boom")),
        ["approval rejected"] = (m, _) => m[4].Contents[0] = new ToolApprovalResponseContent("req-1", false, new FunctionCallContent("call-2", "delete")),
        ["approval request id"] = (m, _) => m[4].Contents[0] = new ToolApprovalResponseContent("req-2", true, new FunctionCallContent("call-2", "delete")),
        ["approval reason"] = (m, _) => m[4].Contents[0] = new ToolApprovalResponseContent("req-1", true, new FunctionCallContent("call-2", "delete")) { Reason = "looks safe" },
        ["content additional property"] = (m, _) => m[2].Contents[1].AdditionalProperties = new() { ["gemini.thought_signature"] = "sig" },
        ["instructions"] = (_, o) => o.Instructions = "Answer in German.",
        ["temperature"] = (_, o) => o.Temperature = 0.6f,
        ["top p"] = (_, o) => o.TopP = 0.8f,
        ["top k"] = (_, o) => o.TopK = 41,
        ["max output tokens"] = (_, o) => o.MaxOutputTokens = 501,
        ["seed"] = (_, o) => o.Seed = 8,
        ["frequency penalty"] = (_, o) => o.FrequencyPenalty = 0.3f,
        ["presence penalty"] = (_, o) => o.PresencePenalty = 0.3f,
        ["stop sequences"] = (_, o) => o.StopSequences!.Add("STOP"),
        ["response format text"] = (_, o) => o.ResponseFormat = ChatResponseFormat.Text,
        ["response format json"] = (_, o) => o.ResponseFormat = ChatResponseFormat.Json,
        ["response schema"] = (_, o) => o.ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object"}"""), "answer", "The answer."),
        ["response schema name"] = (_, o) => o.ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","properties":{"x":{"type":"string"}}}"""), "reply", "The answer."),
        ["tool mode none"] = (_, o) => o.ToolMode = ChatToolMode.None,
        ["tool mode required"] = (_, o) => o.ToolMode = ChatToolMode.RequireAny,
        ["tool mode specific"] = (_, o) => o.ToolMode = ChatToolMode.RequireSpecific("lookup"),
        ["allow multiple tool calls"] = (_, o) => o.AllowMultipleToolCalls = false,
        ["reasoning effort"] = (_, o) => o.Reasoning!.Effort = ReasoningEffort.High,
        ["reasoning output"] = (_, o) => o.Reasoning!.Output = ReasoningOutput.Full,
        ["tool name"] = (_, o) => o.Tools![0] = AIFunctionFactory.CreateDeclaration("find", "Looks up a word.", Json("""{"type":"object","properties":{"word":{"type":"string"}}}""")),
        ["tool description"] = (_, o) => o.Tools![0] = AIFunctionFactory.CreateDeclaration("lookup", "Finds a word.", Json("""{"type":"object","properties":{"word":{"type":"string"}}}""")),
        ["tool schema"] = (_, o) => o.Tools![0] = AIFunctionFactory.CreateDeclaration("lookup", "Looks up a word.", Json("""{"type":"object","properties":{"word":{"type":"number"}}}""")),
        ["hosted tool"] = (_, o) => o.Tools![1] = new HostedCodeInterpreterTool(),
        ["tool removed"] = (_, o) => o.Tools!.RemoveAt(1),
        ["additional property value"] = (_, o) => o.AdditionalProperties!["custom"] = "w",
        ["additional property added"] = (_, o) => o.AdditionalProperties!["extra"] = true,
    };

    private static readonly Dictionary<string, Action<List<ChatMessage>, ChatOptions>> ExcludedChanges = new()
    {
        ["model id"] = (_, o) => o.ModelId = "openai/gpt-4o",
        ["conversation id"] = (_, o) => o.ConversationId = "conv-1",
        ["message id"] = (m, _) => m[1].MessageId = "msg-1",
        ["timestamp"] = (m, _) => m[1].CreatedAt = DateTimeOffset.UnixEpoch,
        ["raw representation"] = (m, _) => m[1].RawRepresentation = new object(),
        ["content raw representation"] = (m, _) => m[1].Contents[0].RawRepresentation = new object(),
        ["message additional properties"] = (m, _) => m[1].AdditionalProperties = new() { ["x"] = 1 },
        ["router user"] = (_, o) => o.WithUser("alice"),
        ["router session"] = (_, o) => o.WithSession("s-1"),
        ["router cache"] = (_, o) => o.WithCache(false),
        ["additional property order"] = (_, o) => o.AdditionalProperties = new() { ["other"] = 3, ["custom"] = "v" },
        ["argument key order"] = (m, _) => m[2].Contents[1] = new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["b"] = "x", ["a"] = 1 }),
        ["schema key order"] = (_, o) => o.Tools![0] = AIFunctionFactory.CreateDeclaration("lookup", "Looks up a word.", Json("""{"properties":{"word":{"type":"string"}},"type":"object"}""")),
    };

    public static TheoryData<string> IncludedNames => [.. IncludedChanges.Keys];

    public static TheoryData<string> ExcludedNames => [.. ExcludedChanges.Keys];

    [Fact]
    public void Compute_SameRequestTwice_SameHexKey()
    {
        string key = Key();

        Key().ShouldBe(key);
        key.ShouldNotBeEmpty();
        key.ShouldAllBe(c => char.IsAsciiHexDigit(c));
    }

    [Theory]
    [MemberData(nameof(IncludedNames))]
    public void Compute_IncludedFieldChanged_KeyChanges(string change) => Key(IncludedChanges[change]).ShouldNotBe(Key(), change);

    [Theory]
    [MemberData(nameof(ExcludedNames))]
    public void Compute_ExcludedFieldChanged_KeyUnchanged(string change) => Key(ExcludedChanges[change]).ShouldBe(Key(), change);

    [Fact]
    public void Compute_OtherAlias_KeyChanges() => Key(alias: "complex").ShouldNotBe(Key());

    [Fact]
    public void Compute_EveryIncludedChange_GivesADistinctKey()
    {
        // Guards against two fields being written under one name, which would let unrelated changes collide.
        string[] keys = [.. IncludedChanges.Values.Select(change => Key(change))];

        keys.Distinct().Count().ShouldBe(keys.Length);
    }

    [Fact]
    public void Compute_NestedJsonArgumentsInAnyKeyOrder_SameKey()
    {
        static string? WithArguments(string json) => ResponseCacheKey.Compute("fast",
            [new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["q"] = Json(json) })])], null);

        WithArguments("""{"a":1,"b":{"y":[{"m":1,"n":2}],"x":true}}""")
            .ShouldBe(WithArguments("""{"b":{"x":true,"y":[{"n":2,"m":1}]},"a":1}"""));
        WithArguments("""{"a":1}""").ShouldNotBe(WithArguments("""{"a":2}"""));
        WithArguments("""[1,2]""").ShouldNotBe(WithArguments("""[2,1]"""));
    }

    [Fact]
    public void Compute_JsonElementAndEquivalentDictionaryArguments_SameKey()
    {
        // Arguments parsed from a provider's JSON and arguments built in code describe the same call.
        string? fromJson = ResponseCacheKey.Compute("fast",
            [new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["a"] = Json("1"), ["b"] = Json("\"x\"") })])], null);
        string? fromCode = ResponseCacheKey.Compute("fast",
            [new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["b"] = "x", ["a"] = 1 })])], null);

        fromJson.ShouldBe(fromCode);
    }

    [Fact]
    public void Compute_NullAndEmptyOptions_SameKey() =>
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null)
            .ShouldBe(ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], new ChatOptions()));

    [Fact]
    public void Compute_OnlyRouterSettings_SameKeyAsNoOptions() =>
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], new ChatOptions().WithUser("u").WithSession("s").WithCache())
            .ShouldBe(ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null));

    [Fact]
    public void Compute_TextMovedBetweenMessages_KeyChanges() =>
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "ab"), new ChatMessage(ChatRole.User, "")], null)
            .ShouldNotBe(ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "a"), new ChatMessage(ChatRole.User, "b")], null));

    [Fact]
    public void Compute_LongConversation_StableAndSensitiveToTheLastCharacter()
    {
        List<ChatMessage> Long(char last) =>
            [.. Enumerable.Range(0, 200).Select(i => new ChatMessage(ChatRole.User, new string('x', 1000) + i)), new ChatMessage(ChatRole.User, last.ToString())];

        string? key = ResponseCacheKey.Compute("fast", Long('a'), null);

        ResponseCacheKey.Compute("fast", Long('a'), null).ShouldBe(key);
        ResponseCacheKey.Compute("fast", Long('b'), null).ShouldNotBe(key);
        // A small request after a large one still gets its usual key.
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null)
            .ShouldBe(ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null));
    }

    [Fact]
    public void Compute_AfterAFailedCall_NextKeyUnaffected()
    {
        string? before = ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null);

        Should.Throw<ArgumentNullException>(() => ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "partial"), null!], null));

        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], null).ShouldBe(before);
    }

    [Fact]
    public async Task Compute_ManyThreadsAtOnce_EachGetsTheSingleThreadedKey()
    {
        string?[] expected = [.. Enumerable.Range(0, 50).Select(i => ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, $"q{i}")], null))];

        string?[][] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 50).Select(i => ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, $"q{i}")], null)).ToArray())));

        foreach (string?[] result in results)
        {
            result.ShouldBe(expected);
        }
    }

    [Fact]
    public void Compute_ApprovalResponsesDifferingOnlyInApproved_DifferentKeys()
    {
        static string? WithApproval(bool approved) => ResponseCacheKey.Compute("fast",
            [new ChatMessage(ChatRole.User, [new ToolApprovalResponseContent("req-1", approved, new FunctionCallContent("call-1", "delete_file"))])], null);

        WithApproval(true).ShouldNotBe(WithApproval(false));
        WithApproval(true).ShouldBe(WithApproval(true));
    }

    [Fact]
    public void Compute_CustomContentUnknownToAllos_ReturnsNullSoTheRequestIsNotCached()
    {
        // Microsoft.Extensions.AI cannot serialize an AIContent subclass it was not told about; keying it by anything less
        // (its type or ToString) would let two different requests share an answer.
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, [new TextContent("hi"), new CustomContent("a")])], null).ShouldBeNull();
    }

    [Fact]
    public void Compute_ToolResultOfATypeWithoutJsonMetadata_ReturnsNull() =>
        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", new CustomResult(1))])], null).ShouldBeNull();

    [Fact]
    public void Compute_ImagesDifferingInOneByte_DifferentKeys()
    {
        static string? WithImage(byte last)
        {
            byte[] bytes = new byte[100_000];
            bytes[^1] = last;
            return ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(bytes, "image/png")])], null);
        }

        WithImage(1).ShouldNotBe(WithImage(2));
        WithImage(1).ShouldBe(WithImage(1));
    }

    [Fact]
    public void Compute_FunctionResultsWithDifferentValues_DifferentKeys()
    {
        static string? WithResult(object? result) => ResponseCacheKey.Compute("fast",
            [new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", result)])], null);

        string?[] keys = [WithResult(1), WithResult(2), WithResult("1"), WithResult(null), WithResult(Json("""{"n":1}""")), WithResult(Json("""{"n":2}"""))];

        keys.ShouldAllBe(key => key != null);
        keys.Distinct().Count().ShouldBe(keys.Length);
    }

    [Fact]
    public void Compute_OptionsWithRouterSettingsAndModelId_LeavesTheCallersOptionsAsTheyWere()
    {
        ChatOptions options = new ChatOptions { ModelId = "fast", Tools = [AIFunctionFactory.CreateDeclaration("f", "F.", Json("""{"type":"object"}"""))] }.WithUser("u");

        ResponseCacheKey.Compute("fast", [new ChatMessage(ChatRole.User, "hi")], options).ShouldNotBeNull();

        options.ModelId.ShouldBe("fast");
        options.AdditionalProperties!.ShouldContainKey(RouterChatOptions.UserKey);
        options.Tools!.Count.ShouldBe(1);
    }

    private sealed class CustomContent(string value) : AIContent
    {
        public string Value { get; } = value;
    }

    private sealed record CustomResult(int Value);
}
