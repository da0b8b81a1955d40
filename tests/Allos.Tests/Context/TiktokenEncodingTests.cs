using System.Text.Json;
using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

// Exact counts come from the o200k_base and cl100k_base vocabularies. The first string and its count (16) are the
// published example of the Microsoft.ML.Tokenizers package for gpt-4o; "hello world" is [15339, 1917] in cl100k_base
// (the Tiktoken package's README); the others were computed once with the tokenizer and checked by hand against its ids.
public sealed class TiktokenEncodingTests
{
    [Theory]
    [InlineData("openai/gpt-4o", "o200k_base")]
    [InlineData("gpt-4o-mini", "o200k_base")]
    [InlineData("openai/gpt-4.1-nano", "o200k_base")]
    [InlineData("openai/gpt-5.1", "o200k_base")]
    [InlineData("openai/gpt-5-mini", "o200k_base")]
    [InlineData("o3-mini", "o200k_base")]
    [InlineData("openai/o1", "o200k_base")]
    [InlineData("openrouter/openai/gpt-4o", "o200k_base")]
    [InlineData("azure/gpt-4o-2024-08-06", "o200k_base")]
    [InlineData("ft:gpt-4o-mini:acme::abc123", "o200k_base")]
    [InlineData("ollama/gpt-oss:20b", "o200k_base")]
    [InlineData("openai/gpt-4", "cl100k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("openai/gpt-3.5-turbo", "cl100k_base")]
    public void ForModel_OpenAIModels_CountWithTheirEncoding(string model, string encoding) =>
        TokenEstimator.ForModel(model).TokenizerName.ShouldBe(encoding);

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5", ImageTokenRule.Anthropic)]
    [InlineData("gemini/gemini-2.5-flash", ImageTokenRule.Gemini)]
    [InlineData("ollama/llama3.1", ImageTokenRule.Default)]
    [InlineData("openai/o10-preview", ImageTokenRule.OpenAI)]
    [InlineData("groq/gpt-4x", ImageTokenRule.Default)]
    [InlineData("", ImageTokenRule.Default)]
    [InlineData(null, ImageTokenRule.Default)]
    public void ForModel_OtherModels_FallBackToTheProvidersEstimate(string? model, ImageTokenRule rule)
    {
        TokenEstimator estimator = TokenEstimator.ForModel(model);

        estimator.TokenizerName.ShouldBeNull();
        estimator.ImageRule.ShouldBe(rule);
        estimator.EstimateText("abcdefghi").ShouldBe(3, "characters / 4, rounded up");
    }

    [Fact]
    public void ForModel_SameEncoding_SharesOneEstimator() =>
        TokenEstimator.ForModel("openai/gpt-4o").ShouldBeSameAs(TokenEstimator.ForModel("o4-mini"));

    [Fact]
    public void Default_HasNoTokenizer() => TokenEstimator.Default.TokenizerName.ShouldBeNull();

    [Theory]
    [InlineData("o200k_base", "Text tokenization is the process of splitting a string into a list of tokens.", 16)]
    [InlineData("cl100k_base", "Text tokenization is the process of splitting a string into a list of tokens.", 16)]
    [InlineData("o200k_base", "hello world", 2)]
    [InlineData("cl100k_base", "hello world", 2)]
    [InlineData("o200k_base", "Hello, world!", 4)]
    [InlineData("o200k_base", "こんにちは世界", 2)]
    [InlineData("cl100k_base", "こんにちは世界", 4)]
    [InlineData("o200k_base", "antidisestablishmentarianism", 6)]
    public void EstimateText_ExactEstimator_IsTheTokenizersCount(string encoding, string text, long expected)
    {
        TokenEstimator estimator = TokenEstimator.ForModel(encoding == "o200k_base" ? "openai/gpt-4o" : "openai/gpt-4");

        estimator.EstimateText(text).ShouldBe(expected);
    }

    [Fact]
    public void Estimate_ToolCallMessage_CountsIdNameAndArgumentsJsonExactly()
    {
        var call = new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Boston, MA" });

        // "call_1" = 3, "get_weather" = 2, {"location":"Boston, MA"} = 7, plus the message overhead.
        TokenEstimator.ForModel("openai/gpt-4o").Estimate(new ChatMessage(ChatRole.Assistant, [call]))
            .ShouldBe(3 + 2 + 7 + TokenEstimator.MessageOverheadTokens);
    }

    [Fact]
    public void EstimateText_LongRunWithoutWhitespace_IsCountedInPiecesWithinATokenPerPiece()
    {
        string run = new string('r', 1_600) + " and " + Convert.ToBase64String(Enumerable.Range(0, 1_200).Select(i => (byte)(i * 37)).ToArray());
        int pieces = (run.Length / TiktokenEncoding.MaxRun) + 1;
        long whole = TiktokenEncoding.O200kBase.Tokenizer!.CountTokens(run);

        long counted = TokenEstimator.ForModel("openai/gpt-4o").EstimateText(run);

        Math.Abs(counted - whole).ShouldBeLessThanOrEqualTo(pieces);
        counted.ShouldBeGreaterThan(run.Length / 8, "still a count, not a guess");
    }

    [Fact]
    public void Estimate_SameMessageTwice_TokenizesItOnce()
    {
        TokenEstimator estimator = TokenEstimator.CreateExact(TiktokenEncoding.O200kBase);
        var message = new ChatMessage(ChatRole.User, "Text tokenization is the process of splitting a string into a list of tokens.");

        long first = estimator.Estimate(message);
        long second = estimator.Estimate(message);

        second.ShouldBe(first);
        first.ShouldBe(16 + TokenEstimator.MessageOverheadTokens);
        estimator.MessagesCounted.ShouldBe(1);
    }

    [Fact]
    public void Estimate_GrowingHistory_TokenizesOnlyTheNewMessages()
    {
        TokenEstimator estimator = TokenEstimator.CreateExact(TiktokenEncoding.O200kBase);
        List<ChatMessage> history = Histories.WithToolTurns(5);
        long before = estimator.Estimate(history);

        Histories.AddTurn(history, 5);
        long after = estimator.Estimate(history);

        estimator.MessagesCounted.ShouldBe(history.Count, "each message once: 21 at first, then the 4 appended");
        after.ShouldBe(before + estimator.Estimate(history.Skip(21)));
        estimator.MessagesCounted.ShouldBe(history.Count);
    }

    [Fact]
    public void Estimate_PartAppendedToACountedMessage_CountsItAgain()
    {
        TokenEstimator estimator = TokenEstimator.CreateExact(TiktokenEncoding.O200kBase);
        var message = new ChatMessage(ChatRole.Assistant, "hello world");
        long first = estimator.Estimate(message);

        message.Contents.Add(new TextContent("hello world"));
        long second = estimator.Estimate(message);

        first.ShouldBe(2 + TokenEstimator.MessageOverheadTokens);
        second.ShouldBe(first + 2);
        estimator.MessagesCounted.ShouldBe(2);
    }

    [Fact]
    public void Estimate_DefaultEstimator_IsNotCached()
    {
        var message = new ChatMessage(ChatRole.User, new string('x', 40));
        TokenEstimator.Default.Estimate(message);

        TokenEstimator.Default.Estimate(message).ShouldBe(10 + TokenEstimator.MessageOverheadTokens);
        TokenEstimator.Default.MessagesCounted.ShouldBe(0);
    }

    [Fact]
    public void Estimate_ToolCallArguments_EstimatesTheLengthOfTheirCompactJson()
    {
        // Measured without serializing; must agree with the serialized text for every common value type.
        using JsonDocument json = JsonDocument.Parse("""{"nested":[1,2,{"a":"b c"}]}""");
        var arguments = new Dictionary<string, object?>
        {
            ["path"] = "src/a \"quoted\" \\ file\n\t.cs <b> & 'c' + `d`",
            ["unicode"] = "café 東京 😀",
            ["control"] = "bell\u0007",
            ["count"] = 42,
            ["big"] = 12_345_678_901L,
            ["ratio"] = 0.125,
            ["on"] = true,
            ["off"] = false,
            ["none"] = null,
            ["element"] = json.RootElement.GetProperty("nested").Clone(),
        };
        var call = new FunctionCallContent("c", "f", arguments);

        ArgumentsJson.Length(arguments).ShouldBe(TokenEstimator.ArgumentsText(call).Length, TokenEstimator.ArgumentsText(call));
        ArgumentsJson.Length(new Dictionary<string, object?>()).ShouldBe(2);
        ArgumentsJson.Length(null).ShouldBe(2);
        ArgumentsJson.Length(new Dictionary<string, object?> { ["other"] = new Uri("https://example.com") }).ShouldBeNull("serialized instead");
    }

    [Fact]
    public async Task Estimate_ManyThreadsOnTheSameMessages_AgreeWithOneThread()
    {
        List<ChatMessage> history = Histories.WithToolTurns(50);
        long[] expected = [.. history.Select(TokenEstimator.ForModel("openai/gpt-4").Estimate)];
        TokenEstimator estimator = TokenEstimator.CreateExact(TiktokenEncoding.Cl100kBase);

        long[][] counted = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => history.Select(estimator.Estimate).ToArray())));

        foreach (long[] counts in counted)
        {
            counts.ShouldBe(expected);
        }

        estimator.Estimate(history).ShouldBe(expected.Sum());
    }
}
