using System.Text;
using Allos.Providers.OpenAI;

namespace Allos.Tests.Providers.OpenAI;

public sealed class OpenAIChunkReaderTests
{
    private const string Head = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":""";

    [Theory]
    [InlineData("""{"content":" Paris"},"logprobs":null,"finish_reason":null}],"usage":null}""", " Paris")]
    [InlineData("""{"role":"assistant","content":"a \"quoted\" \u00e9"},"finish_reason":null}]}""", "a \"quoted\" é")]
    [InlineData("""{},"finish_reason":null}]}""", null)]
    public void TryReadText_TextOnlyChunk_ReadsTheDelta(string rest, string? expected)
    {
        OpenAIChunkReader.TryReadText(Encoding.UTF8.GetBytes(Head + rest), out string? text).ShouldBeTrue();
        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"content":"x"},"finish_reason":"stop"}]}""")]
    [InlineData("""{"content":"x"},"finish_reason":null}],"usage":{"prompt_tokens":1}}""")]
    [InlineData("""{"content":"x","refusal":"no"},"finish_reason":null}]}""")]
    [InlineData("""{"reasoning_content":"hm"},"finish_reason":null}]}""")]
    [InlineData("""{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]},"finish_reason":null}]}""")]
    [InlineData("""{"content":[{"type":"text","text":"x"}]},"finish_reason":null}]}""")]
    [InlineData("""{"content":"x"}},{"index":1,"delta":{"content":"y"}}]}""")]
    [InlineData("""{"content":"x"}}],"x_groq":{"usage":{"prompt_tokens":1}}}""")]
    [InlineData("""{"content":"x"}}],"error":{"message":"boom"}}""")]
    [InlineData("""{"content":"x"}}]} trailing""")]
    [InlineData("""{"content":"x"}""")]
    public void TryReadText_AnyOtherShape_Declines(string rest) =>
        OpenAIChunkReader.TryReadText(Encoding.UTF8.GetBytes(Head + rest), out _).ShouldBeFalse();

    [Theory]
    [InlineData("""{"object":"error","message":"boom","choices":[{"index":0,"delta":{"content":"x"}}]}""")]
    [InlineData("""{"created":"1741570283","choices":[{"index":0,"delta":{"content":"x"}}]}""")]
    [InlineData("""[1,2]""")]
    public void TryReadText_ErrorsAndOddValues_Decline(string json) =>
        OpenAIChunkReader.TryReadText(Encoding.UTF8.GetBytes(json), out _).ShouldBeFalse();
}
