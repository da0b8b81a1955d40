using System.Text;
using Allos.Providers.Gemini;

namespace Allos.Tests.Providers.Gemini;

public sealed class GeminiChunkReaderTests
{
    [Fact]
    public void TryReadText_TextChunk_ReadsTextFinishAndUsage()
    {
        byte[] json = Encoding.UTF8.GetBytes("""
            {"candidates":[{"content":{"parts":[{"text":" Paris"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}],"trafficType":"ON_DEMAND"},
             "modelVersion":"gemini-2.5-flash","responseId":"r1"}
            """);
        var usage = new GeminiUsageMetadata();

        GeminiChunkReader.TryReadText(json, knowsCreated: false, usage, out string? text, out string? finish).ShouldBeTrue();

        text.ShouldBe(" Paris");
        finish.ShouldBe("STOP");
        (usage.PromptTokenCount, usage.CandidatesTokenCount, usage.TotalTokenCount, usage.ThoughtsTokenCount).ShouldBe((9L, 3L, 12L, (long?)null));
    }

    [Theory]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x","thought":true}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x","thoughtSignature":"sig"}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"},{"text":"y"}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}],"role":"model"}}]}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"promptFeedback":{"blockReason":"SAFETY"}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"createTime":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"usageMetadata":{"promptTokenCount":"9"}}""")]
    [InlineData("""{"error":{"code":500,"message":"boom","status":"INTERNAL"}}""")]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"x"}]}},{"content":{"parts":[{"text":"y"}]}}]}""")]
    public void TryReadText_AnyOtherShape_Declines(string json) =>
        GeminiChunkReader.TryReadText(Encoding.UTF8.GetBytes(json), knowsCreated: false, new GeminiUsageMetadata(), out _, out _).ShouldBeFalse();
}
