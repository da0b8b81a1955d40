using System.Text;
using Allos.Providers.Ollama;

namespace Allos.Tests.Providers.Ollama;

public sealed class OllamaLineReaderTests
{
    [Fact]
    public void TryReadText_TextLines_ReadModelOncePerStreamAndEachLinesTime()
    {
        var reader = new OllamaLineReader();

        reader.TryReadText(Line("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789123Z","message":{"role":"assistant","content":"The"},"done":false}"""), out OllamaTextLine first).ShouldBeTrue();
        reader.TryReadText(Line("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":" capital"},"done":false}"""), out OllamaTextLine second).ShouldBeTrue();

        (first.Content, second.Content).ShouldBe(("The", " capital"));
        ReferenceEquals(first.Model, second.Model).ShouldBeTrue("one model string per stream");
        first.CreatedAt.ShouldBe(OllamaResponseParser.ParseTime("2025-07-07T20:22:19.184789123Z"));
        second.CreatedAt.ShouldBe(OllamaResponseParser.ParseTime("2025-07-07T20:22:19.19314Z"));
    }

    [Theory]
    [InlineData("""{"model":"m","created_at":"2025-07-07T20:22:19Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}""")]
    [InlineData("""{"model":"m","message":{"role":"assistant","content":"","thinking":"hm"},"done":false}""")]
    [InlineData("""{"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}""")]
    [InlineData("""{"error":"model not found"}""")]
    [InlineData("""{"model":"m","message":{"content":"x"},"done":false,"error":"boom"}""")]
    [InlineData("""{"model":"m","message":{"content":"x"},"done":false""")]
    public void TryReadText_AnyOtherLine_Declines(string json) =>
        new OllamaLineReader().TryReadText(Line(json), out _).ShouldBeFalse();

    private static byte[] Line(string json) => Encoding.UTF8.GetBytes(json);
}
