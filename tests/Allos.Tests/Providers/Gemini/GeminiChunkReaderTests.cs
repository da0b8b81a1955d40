using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Allos.Providers.Gemini;

namespace Allos.Tests.Providers.Gemini;

public sealed class GeminiChunkReaderTests
{
    [Fact]
    public void TryReadText_TextChunk_ReadsTextAndFinishAndLeavesTheTail()
    {
        byte[] json = Encoding.UTF8.GetBytes("""
            {"candidates":[{"content":{"parts":[{"text":" Paris"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}],"trafficType":"ON_DEMAND"},
             "modelVersion":"gemini-2.5-flash","responseId":"r1"}
            """);

        GeminiChunkReader.TryReadText(json, knowsCreated: false, out string? text, out string? finish, out int tailStart).ShouldBeTrue();

        text.ShouldBe(" Paris");
        finish.ShouldBe("STOP");
        Encoding.UTF8.GetString(json[tailStart..]).TrimStart().ShouldStartWith(",\n \"usageMetadata\":{\"promptTokenCount\":9");
    }

    [Theory]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x","thought":true}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x","thoughtSignature":"sig"}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"},{"text":"y"}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"promptFeedback":{"blockReason":"SAFETY"}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"createTime":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"candidates":[]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"error":{"code":500}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"usageMetadata":{"promptTokenCount":9}, """)]
    [InlineData("""{"usageMetadata":{"promptTokenCount":9},"candidates":[{"content":{"parts":[{"text":"x"}]}}]}""")]
    [InlineData("""{"error":{"code":500,"message":"boom","status":"INTERNAL"}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}},{"content":{"parts":[{"text":"y"}]}}]}""")]
    public void TryReadText_AnyOtherShape_Declines(string json) =>
        GeminiChunkReader.TryReadText(Encoding.UTF8.GetBytes(json), knowsCreated: false, out _, out _, out _).ShouldBeFalse();
}

public sealed class GeminiStreamAssemblerTests
{
    private const string First = """{"candidates":[{"content":{"parts":[{"text":"The"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash","responseId":"r1"}""";

    [Fact]
    public void UsageOfTextChunks_TheLastCountsWin_EvenWhenTheLastChunkHasNone()
    {
        var assembler = new GeminiStreamAssembler("gemini");
        assembler.Add(JsonSerializer.Deserialize(First, GeminiJsonContext.Default.GeminiResponse)!).ShouldNotBeNull();
        assembler.TryReadText(Text(" capital", ""","usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":2,"totalTokenCount":11,"thoughtsTokenCount":4},"modelVersion":"gemini-2.5-flash","responseId":"r1"}"""), out _).ShouldBeTrue();
        assembler.TryReadText(Text(" is", ""","usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"r1"}"""), out ChatResponseUpdate? update).ShouldBeTrue();
        update!.Text.ShouldBe(" is");
        assembler.TryReadText(Text(" Paris", "\"finishReason\":\"STOP\"", ""","modelVersion":"gemini-2.5-flash","responseId":"r1"}"""), out _).ShouldBeTrue();

        UsageDetails usage = assembler.Complete().Contents.OfType<UsageContent>().Single().Details;

        (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount).ShouldBe((9L, 3L, 12L));
        assembler.IsComplete.ShouldBeTrue();
    }

    [Fact]
    public void AMalformedLastTail_FailsTheStreamAsTheDtoWould()
    {
        var assembler = new GeminiStreamAssembler("gemini");
        assembler.Add(JsonSerializer.Deserialize(First, GeminiJsonContext.Default.GeminiResponse)!);
        assembler.TryReadText(Text(" Paris", "\"finishReason\":\"STOP\"", ""","usageMetadata":{"promptTokenCount":"nine"}}"""), out _).ShouldBeTrue();

        Should.Throw<JsonException>(() => assembler.Complete());
    }

    private static byte[] Text(string text, string tail) => Text(text, null, tail);

    private static byte[] Text(string text, string? finish, string tail) =>
        Encoding.UTF8.GetBytes($$"""{"candidates":[{"content":{"parts":[{"text":"{{text}}"}],"role":"model"},{{(finish is null ? "" : finish + ",")}}"index":0}]{{tail}}""");
}
