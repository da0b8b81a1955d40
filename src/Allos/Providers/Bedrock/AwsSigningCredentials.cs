namespace Allos.Providers.Bedrock;

/// <summary>The keys a request is signed with; the secret and token never appear in errors or logs.</summary>
internal sealed record AwsSigningCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    public override string ToString() => $"AwsSigningCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
