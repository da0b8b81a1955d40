using System.Buffers.Binary;
using Allos.Context;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Context;

public sealed class TokenEstimatorTests
{
    private static readonly TokenEstimator Estimator = TokenEstimator.Default;

    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("abcd", 1)]
    [InlineData("abcde", 2)]
    [InlineData("abcdefgh", 2)]
    public void EstimateText_Length_IsCharactersOverFourRoundedUp(string text, long expected) =>
        Estimator.EstimateText(text).ShouldBe(expected);

    [Fact]
    public void Estimate_TextMessage_IsTextPlusOverhead()
    {
        var message = new ChatMessage(ChatRole.User, new string('x', 40));

        Estimator.Estimate(message).ShouldBe(10 + TokenEstimator.MessageOverheadTokens);
    }

    [Fact]
    public void Estimate_ToolCallAndResultAndReasoning_CountsNameArgumentsResultAndReasoning()
    {
        var call = new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["location"] = "Boston, MA" });
        var message = new ChatMessage(ChatRole.Assistant, [new TextReasoningContent(new string('t', 80)), call]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", new string('r', 400))]);

        // "c1" = 1, "get_weather" = 3, {"location":"Boston, MA"} (25 chars) = 7, reasoning 20, overhead 4.
        Estimator.Estimate(message).ShouldBe(1 + 3 + 7 + 20 + 4);
        Estimator.Estimate(result).ShouldBe(1 + 100 + 4);
    }

    [Theory]
    [InlineData(ImageTokenRule.OpenAI, 1024, 1024, 765)]     // 768×768 → 4 tiles
    [InlineData(ImageTokenRule.OpenAI, 2048, 4096, 1105)]    // 1024×2048 → 768×1536 → 6 tiles
    [InlineData(ImageTokenRule.OpenAI, 512, 512, 255)]       // 1 tile
    [InlineData(ImageTokenRule.Default, 1024, 1024, 765)]
    [InlineData(ImageTokenRule.Anthropic, 1000, 1000, 1333)]
    [InlineData(ImageTokenRule.Anthropic, 4000, 3000, 1600)] // capped: the API scales it down
    [InlineData(ImageTokenRule.Gemini, 4000, 3000, 258)]
    public void EstimateImage_KnownSize_FollowsTheProvidersRule(ImageTokenRule rule, int width, int height, long expected) =>
        new TokenEstimator(rule).EstimateImage(width, height).ShouldBe(expected);

    [Theory]
    [InlineData(ImageTokenRule.Default, 1000)]
    [InlineData(ImageTokenRule.OpenAI, 1000)]
    [InlineData(ImageTokenRule.Anthropic, 1000)]
    [InlineData(ImageTokenRule.Gemini, 258)]
    public void Estimate_ImageUrl_UsesTheUnknownSizeDefault(ImageTokenRule rule, long expected) =>
        new TokenEstimator(rule).Estimate(new UriContent("https://example.com/cat.png", "image/png")).ShouldBe(expected);

    [Fact]
    public void Estimate_LowDetailImage_IsEightyFiveForOpenAI()
    {
        var image = new DataContent(Png(4000, 4000), "image/png") { AdditionalProperties = new() { ["detail"] = "low" } };

        new TokenEstimator(ImageTokenRule.OpenAI).Estimate(image).ShouldBe(85);
    }

    public static TheoryData<string, byte[]> Images => new()
    {
        { "png", Png(1024, 1024) },
        { "gif", Gif(1024, 1024) },
        { "jpeg", Jpeg(1024, 1024) },
        { "webp-vp8x", WebPExtended(1024, 1024) },
        { "webp-vp8l", WebPLossless(1024, 1024) },
        { "webp-vp8", WebPLossy(1024, 1024) },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Estimate_ImageBytes_ReadsTheSizeFromTheHeader(string format, byte[] bytes)
    {
        ImageDimensions.TryRead(bytes, out int width, out int height).ShouldBeTrue(format);
        width.ShouldBe(1024);
        height.ShouldBe(1024);
        new TokenEstimator(ImageTokenRule.OpenAI).Estimate(new DataContent(bytes, "image/" + format.Split('-')[0])).ShouldBe(765);
    }

    [Fact]
    public void Estimate_TruncatedOrGarbageImage_FallsBackToTheDefaultWithoutThrowing()
    {
        byte[] truncated = Png(800, 600)[..20];
        byte[] jpegWithoutFrame = [0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF];
        byte[] garbage = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];

        foreach (byte[] bytes in new[] { truncated, jpegWithoutFrame, garbage, [] })
        {
            ImageDimensions.TryRead(bytes, out _, out _).ShouldBeFalse();
            Estimator.Estimate(new DataContent(bytes, "image/png")).ShouldBe(TokenEstimator.UnknownImageTokens);
        }
    }

    [Fact]
    public void ForProvider_KnownNames_PickTheirImageRule()
    {
        TokenEstimator.ForProvider("openai").ImageRule.ShouldBe(ImageTokenRule.OpenAI);
        TokenEstimator.ForProvider("Anthropic").ImageRule.ShouldBe(ImageTokenRule.Anthropic);
        TokenEstimator.ForProvider("gemini").ImageRule.ShouldBe(ImageTokenRule.Gemini);
        TokenEstimator.ForProvider("ollama").ImageRule.ShouldBe(ImageTokenRule.Default);
    }

    [Fact]
    public void EstimateRequest_WithAnchor_IsReportedPlusTheEstimateOfTheDelta()
    {
        List<ChatMessage> history = Histories.WithToolTurns(3);
        int covered = history.Count;
        history.Add(new ChatMessage(ChatRole.User, new string('n', 100)));
        history.Add(new ChatMessage(ChatRole.Assistant, new string('m', 37)));

        long estimate = Estimator.EstimateRequest(history, new UsageAnchor(5_000, covered));

        estimate.ShouldBe(5_000 + Estimator.Estimate(history[covered]) + Estimator.Estimate(history[covered + 1]));
        estimate.ShouldBe(5_000 + (25 + 4) + (10 + 4));
    }

    [Fact]
    public void EstimateRequest_AnchorFromALongerHistory_IsIgnored()
    {
        List<ChatMessage> history = Histories.WithToolTurns(1);

        Estimator.EstimateRequest(history, new UsageAnchor(9_999, history.Count + 1)).ShouldBe(Estimator.Estimate(history));
        Estimator.EstimateRequest(history, null).ShouldBe(Estimator.Estimate(history));
    }

    private static byte[] Png(int width, int height)
    {
        byte[] bytes = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), (uint)height);
        return bytes;
    }

    private static byte[] Gif(int width, int height)
    {
        byte[] bytes = new byte[13];
        "GIF89a"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)height);
        return bytes;
    }

    private static byte[] Jpeg(int width, int height)
    {
        // SOI, an APP0 segment to skip, then SOF0 with the frame size.
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 };
        bytes.AddRange("JFIF\0"u8.ToArray());
        bytes.AddRange(new byte[9]);
        bytes.AddRange(new byte[] { 0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03 });
        bytes.AddRange(new byte[9]);
        return [.. bytes];
    }

    private static byte[] WebPHeader(string chunk, int size)
    {
        byte[] bytes = new byte[size];
        "RIFF"u8.CopyTo(bytes);
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        System.Text.Encoding.ASCII.GetBytes(chunk).CopyTo(bytes, 12);
        return bytes;
    }

    private static byte[] WebPExtended(int width, int height)
    {
        byte[] bytes = WebPHeader("VP8X", 30);
        int w = width - 1;
        int h = height - 1;
        bytes[24] = (byte)w;
        bytes[25] = (byte)(w >> 8);
        bytes[26] = (byte)(w >> 16);
        bytes[27] = (byte)h;
        bytes[28] = (byte)(h >> 8);
        bytes[29] = (byte)(h >> 16);
        return bytes;
    }

    private static byte[] WebPLossless(int width, int height)
    {
        byte[] bytes = WebPHeader("VP8L", 30);
        bytes[20] = 0x2F;
        uint bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(21), bits);
        return bytes;
    }

    private static byte[] WebPLossy(int width, int height)
    {
        byte[] bytes = WebPHeader("VP8 ", 30);
        bytes[23] = 0x9D;
        bytes[24] = 0x01;
        bytes[25] = 0x2A;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(26), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), (ushort)height);
        return bytes;
    }
}
