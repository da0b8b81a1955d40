using Allos.Security;

namespace Allos.Tests.Security;

public sealed class SensitiveFilesTests
{
    [Theory]
    [InlineData(".env", true)]
    [InlineData("app/.env", true)]
    [InlineData(".env.local", true)]
    [InlineData("prod.env", true)]
    [InlineData("certs/server.pem", true)]
    [InlineData("tls.key", true)]
    [InlineData("/home/me/.ssh/id_ed25519", true)]
    [InlineData("id_rsa", true)]
    [InlineData(".npmrc", true)]
    [InlineData(".netrc", true)]
    [InlineData(".aws/credentials", true)]
    [InlineData(".env.example", false)]
    [InlineData("id_rsa.pub", false)]
    [InlineData("README.md", false)]
    [InlineData("src/environment.ts", false)]
    [InlineData("keys.cs", false)]
    public void IsSensitive_ByName_MatchesSecretHoldingFiles(string path, bool expected) =>
        SensitiveFiles.IsSensitive(path).ShouldBe(expected);
}
