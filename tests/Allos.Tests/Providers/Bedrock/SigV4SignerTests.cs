using Allos.Providers.Bedrock;

namespace Allos.Tests.Providers.Bedrock;

public sealed class SigV4SignerTests
{
    // AWS's documented example (S3 API reference, "Example: GET Object"): the canonical request, its hash and the signature.
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20130524T000000Z";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Signature_AwsDocumentedExample_MatchesEveryStep()
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = EmptyHash,
            ["x-amz-date"] = AmzDate,
        };

        string canonical = SigV4Signer.CanonicalRequest("GET", "/test.txt", "", headers, EmptyHash);
        string toSign = SigV4Signer.StringToSign(AmzDate, "20130524/us-east-1/s3/aws4_request", canonical);
        string signature = SigV4Signer.Signature(Secret, AmzDate, "us-east-1", "s3", toSign);

        canonical.ShouldBe("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" + EmptyHash
            + "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" + EmptyHash);
        toSign.ShouldBe("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
        signature.ShouldBe("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    [Theory]
    [InlineData("/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse", "/model/anthropic.claude-sonnet-4-20250514-v1%253A0/converse")]
    [InlineData("/", "/")]
    [InlineData("/model/a%2Fb/converse-stream", "/model/a%252Fb/converse-stream")]
    public void CanonicalPath_NonS3Service_EncodesTheWirePathAgain(string wire, string canonical) =>
        SigV4Signer.CanonicalPath(wire).ShouldBe(canonical);

    [Fact]
    public void Sign_Request_SetsDateTokenAndAuthorizationWithoutTheSecret()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse");
        var credentials = new AwsSigningCredentials("AKIDEXAMPLE", Secret, "token-1");

        SigV4Signer.Sign(request, "{}"u8, credentials, "us-east-1", "bedrock", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        request.Headers.GetValues("x-amz-date").Single().ShouldBe("20250102T030405Z");
        request.Headers.GetValues("x-amz-security-token").Single().ShouldBe("token-1");
        string authorization = request.Headers.GetValues("Authorization").Single();
        authorization.ShouldStartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=");
        authorization.ShouldNotContain(Secret);
        credentials.ToString().ShouldNotContain(Secret);
    }
}
