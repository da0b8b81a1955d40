using System.Text;
using Allos.Providers.Anthropic;

namespace Allos.Tests.Providers.Anthropic;

public sealed class AnthropicEventReaderTests
{
    [Fact]
    public void TryReadTextDelta_TextDelta_ReadsIndexAndText()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":" Paris"}}""");

        AnthropicEventReader.TryReadTextDelta(json, out int index, out string? text).ShouldBeTrue();

        index.ShouldBe(2);
        text.ShouldBe(" Paris");
    }

    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}""")]
    [InlineData("""{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","citations":[]}}""")]
    [InlineData("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")]
    [InlineData("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")]
    [InlineData("""{"index":0,"delta":{"type":"text_delta","text":"x"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}""")]
    public void TryReadTextDelta_AnyOtherEvent_Declines(string json) =>
        AnthropicEventReader.TryReadTextDelta(Encoding.UTF8.GetBytes(json), out _, out _).ShouldBeFalse();
}
