using System.Text;
using Allos.Security;

namespace Allos.Tests.Security;

/// <summary>The process-wide registry is shared by every test: each test registers its own random values.</summary>
public sealed class SecretRedactorTests
{
    private static string NewSecret(string prefix = "sk-test-") => prefix + Guid.NewGuid().ToString("N");

    [Fact]
    public void Redact_RegisteredValue_IsReplacedByTheMarker()
    {
        string secret = NewSecret();
        SecretRedactor.Register("MY_SERVICE_KEY", secret).ShouldBeTrue();

        SecretRedactor.Redact($"key={secret}; again {secret}.").ShouldBe("key=[redacted MY_SERVICE_KEY]; again [redacted MY_SERVICE_KEY].");
    }

    [Fact]
    public void Redact_TextWithoutSecrets_ReturnsTheSameInstance()
    {
        SecretRedactor.Register("SOME_TOKEN", NewSecret());
        string text = "Exit code: 0\n--- stdout ---\nhello world, nothing to hide here\n";

        SecretRedactor.Redact(text).ShouldBeSameAs(text);
    }

    [Fact]
    public void Register_ShortValue_IsIgnoredSoCommonWordsStay()
    {
        SecretRedactor.Register("SHORT_PASSWORD", "admin12").ShouldBeFalse();

        SecretRedactor.Redact("login admin12 ok").ShouldBe("login admin12 ok");
    }

    [Fact]
    public void Redact_OverlappingValues_LongestWins()
    {
        string shorter = NewSecret("ovl-");
        string longer = shorter + "-extended";
        SecretRedactor.Register("SHORT_TOKEN", shorter);
        SecretRedactor.Register("LONG_TOKEN", longer);

        SecretRedactor.Redact($"a {longer} b {shorter} c").ShouldBe("a [redacted LONG_TOKEN] b [redacted SHORT_TOKEN] c");
    }

    [Fact]
    public void Redact_ValueWithSurroundingWhiteSpaceWhenRegistered_StillMatches()
    {
        string secret = NewSecret();
        SecretRedactor.Register("PADDED_SECRET", $"  {secret}\n");

        SecretRedactor.Redact($"[{secret}]").ShouldBe("[[redacted PADDED_SECRET]]");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Redact_Base64AtAnyAlignment_HidesTheValue(int prefixBytes)
    {
        string secret = NewSecret();
        SecretRedactor.Register("B64_API_KEY", secret);
        string encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('x', prefixBytes) + secret + "\n"));

        string redacted = SecretRedactor.Redact(encoded);

        redacted.ShouldContain("[redacted B64_API_KEY]");

        // What is left around the marker is too short to hold more than two bytes of the value.
        redacted.Replace("[redacted B64_API_KEY]", "", StringComparison.Ordinal).Length.ShouldBeLessThanOrEqualTo(12);
    }

    [Fact]
    public void Redact_JsonAndUrlEncodedForms_AreHidden()
    {
        string secret = NewSecret("p\"a/s+s ");
        SecretRedactor.Register("ODD_PASSWORD", secret);

        SecretRedactor.Redact($"{{\"v\":\"{System.Text.Json.JsonEncodedText.Encode(secret).Value}\"}}").ShouldBe("{\"v\":\"[redacted ODD_PASSWORD]\"}");
        SecretRedactor.Redact(System.Text.Json.JsonEncodedText.Encode(secret, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value).ShouldBe("[redacted ODD_PASSWORD]");
        SecretRedactor.Redact($"https://u:{Uri.EscapeDataString(secret)}@host/").ShouldBe("https://u:[redacted ODD_PASSWORD]@host/");
    }

    [Fact]
    public void Register_SameValueTwice_KeepsTheFirstName()
    {
        string secret = NewSecret();
        SecretRedactor.Register("FIRST_TOKEN", secret);
        SecretRedactor.Register("SECOND_TOKEN", secret);

        SecretRedactor.Redact(secret).ShouldBe("[redacted FIRST_TOKEN]");
    }

    [Fact]
    public async Task Redact_WhileOtherThreadsRegister_NeverMissesAnEarlierSecret()
    {
        string early = NewSecret();
        SecretRedactor.Register("EARLY_TOKEN", early);
        Task writers = Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            for (int n = 0; n < 50; n++)
            {
                SecretRedactor.Register($"BULK_{i}_{n}_TOKEN", NewSecret());
            }
        })));

        for (int n = 0; n < 200; n++)
        {
            SecretRedactor.Redact($"x {early} y").ShouldBe("x [redacted EARLY_TOKEN] y");
        }

        await writers;
    }

    [Theory]
    [InlineData("OPENAI_API_KEY", true)]
    [InlineData("FIREWORKS_API_KEY", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("OPENAI_BASE_URL", false)]
    [InlineData("PATH", false)]
    public void IsSecretName_KnownAndSuffixedNames_AreSecrets(string name, bool expected) =>
        SecretRedactor.IsSecretName(name).ShouldBe(expected);
}
