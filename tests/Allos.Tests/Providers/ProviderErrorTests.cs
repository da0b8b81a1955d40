using Allos.Providers.Http;

namespace Allos.Tests.Providers;

public sealed class ProviderErrorTests
{
    [Theory]
    [InlineData(401, "Authentication")]
    [InlineData(402, "Quota")]
    [InlineData(403, "Permission")]
    [InlineData(404, "NotFound")]
    [InlineData(408, "Timeout")]
    [InlineData(422, "InvalidRequest")]
    [InlineData(429, "RateLimited")]
    [InlineData(500, "Server")]
    [InlineData(502, "Server")]
    [InlineData(503, "Overloaded")]
    [InlineData(504, "Timeout")]
    [InlineData(529, "Overloaded")]
    public void KindFromStatus_MapsEveryClass(int status, string expected) =>
        ProviderError.KindFromStatus(status).ShouldBe(Enum.Parse<ErrorKind>(expected));

    [Theory]
    [InlineData("prompt is too long: 205429 tokens > 200000 maximum")]
    [InlineData("The input token count (132478) exceeds the maximum number of tokens allowed (131072).")]
    [InlineData("This model's maximum context length is 4097 tokens.")]
    [InlineData("the model's context length is only 1024 tokens")]
    [InlineData("input exceeds maximum context length and cannot be truncated further")]
    public void LooksLikeContextOverflow_KnownWordings_AreRecognized(string message) =>
        ProviderError.LooksLikeContextOverflow(message).ShouldBeTrue();

    [Theory]
    [InlineData("Invalid value for temperature")]
    [InlineData("")]
    [InlineData(null)]
    public void LooksLikeContextOverflow_OtherMessages_AreNot(string? message) =>
        ProviderError.LooksLikeContextOverflow(message).ShouldBeFalse();

    [Fact]
    public void ToException_RateLimit_PrefersHeaderHintOverBodyHint()
    {
        var error = new ProviderError(ErrorKind.RateLimited, "slow down", "RESOURCE_EXHAUSTED", RetryAfter: TimeSpan.FromSeconds(34.4));

        var fromHeader = (RateLimitException)error.ToException("gemini", 429, TimeSpan.FromSeconds(3), "req-1");
        var fromBody = (RateLimitException)error.ToException("gemini", 429, null, null);

        fromHeader.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        fromBody.RetryAfter.ShouldBe(TimeSpan.FromSeconds(34.4));
        fromHeader.Message.ShouldBe("gemini returned HTTP 429 (RESOURCE_EXHAUSTED): slow down");
        fromHeader.RequestId.ShouldBe("req-1");
    }
}
