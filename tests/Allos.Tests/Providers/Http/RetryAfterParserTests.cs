using System.Net.Http.Headers;
using Allos.Providers.Http;

namespace Allos.Tests.Providers.Http;

public sealed class RetryAfterParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] values)
    {
        using var response = new HttpResponseMessage();
        foreach ((string name, string value) in values)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response.Headers;
    }

    [Theory]
    [InlineData("12ms", 12)]
    [InlineData("6s", 6_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m", 3_720_000)]
    [InlineData("34.4s", 34_400)]
    [InlineData("0.5ms", 0.5)]
    public void TryParseDuration_GoAndProtobufDurations_Parse(string text, double expectedMs)
    {
        RetryAfterParser.TryParseDuration(text, out TimeSpan duration).ShouldBeTrue();
        duration.TotalMilliseconds.ShouldBe(expectedMs, 1e-9);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10")]
    [InlineData("5x")]
    public void TryParseDuration_Garbage_IsRejected(string text) =>
        RetryAfterParser.TryParseDuration(text, out _).ShouldBeFalse();

    [Fact]
    public void Parse_RetryAfterMsWinsOverRetryAfter() =>
        RetryAfterParser.Parse(Headers(("retry-after", "9"), ("retry-after-ms", "250")), Now).ShouldBe(TimeSpan.FromMilliseconds(250));

    [Fact]
    public void Parse_HttpDate_IsRelativeToNow() =>
        RetryAfterParser.Parse(Headers(("retry-after", Now.AddSeconds(42).ToString("r"))), Now).ShouldBe(TimeSpan.FromSeconds(42));

    [Fact]
    public void Parse_PastHttpDate_IsZeroNotNegative() =>
        RetryAfterParser.Parse(Headers(("retry-after", Now.AddSeconds(-42).ToString("r"))), Now).ShouldBe(TimeSpan.Zero);

    [Fact]
    public void Parse_OpenAIResetHeaders_TakeTheLatest() =>
        RetryAfterParser.Parse(Headers(("x-ratelimit-reset-requests", "12ms"), ("x-ratelimit-reset-tokens", "26.604s")), Now)
            .ShouldBe(TimeSpan.FromMilliseconds(26_604));

    [Fact]
    public void Parse_AnthropicResetTimestamps_TakeTheLatest() =>
        RetryAfterParser.Parse(Headers(
                ("anthropic-ratelimit-requests-reset", "2026-11-22T12:00:10Z"),
                ("anthropic-ratelimit-output-tokens-reset", "2026-11-22T12:00:20Z")), Now)
            .ShouldBe(TimeSpan.FromSeconds(20));

    [Fact]
    public void Parse_NoHint_IsNull() => RetryAfterParser.Parse(Headers(("x-request-id", "r")), Now).ShouldBeNull();

    [Theory]
    [InlineData("retry-after", "1e15")]
    [InlineData("retry-after", "1e308")]
    [InlineData("retry-after", "Infinity")]
    [InlineData("retry-after-ms", "1e300")]
    [InlineData("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]
    [InlineData("x-ratelimit-reset-tokens", "99999999999999999h")]
    [InlineData("anthropic-ratelimit-tokens-reset", "9999-12-31T23:59:59Z")]
    public void Parse_HintBeyondAnyClock_IsClampedNotAnOverflow(string header, string value) =>
        RetryAfterParser.Parse(Headers((header, value)), Now).ShouldBe(RetryAfterParser.MaxHint);

    [Fact]
    public void TryParseDuration_HugeProtobufDuration_IsClamped()
    {
        // Gemini's RetryInfo.retryDelay arrives as "<seconds>s".
        RetryAfterParser.TryParseDuration("1000000000000000s", out TimeSpan delay).ShouldBeTrue();
        delay.ShouldBe(RetryAfterParser.MaxHint);
    }
}
