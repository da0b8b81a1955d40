using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Allos.Providers;

namespace Allos.IntegrationTests.Providers.Vertex;

/// <summary>Vertex AI's access tokens: a service account's JWT-bearer grant and gcloud's authorized user against the fake token endpoint, cached and shared; failures typed.</summary>
public sealed class VertexCredentialTests : IAsyncLifetime, IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-vertex").FullName;
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _server.TokenSigningKey = _key;
        _server.VertexAccessToken = "ya29.issued-by-the-fake";
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ServiceAccountFile_TokenFromItsTokenUri_CachedAcrossCallsAndSharedByConcurrentOnes()
    {
        string file = ServiceAccountFile(_server.TokenEndpoint.AbsoluteUri, project: "sa-project");
        for (int i = 0; i < 6; i++)
        {
            _server.Enqueue(FakeTurn.Text("ok"));
        }

        IChatClient chat = Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file }).Create("vertex/gemini-2.5-flash");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => chat.GetResponseAsync("hi")));
        await chat.GetResponseAsync("again");
        await chat.GetStreamingResponseAsync("and a stream").ToListAsync();

        _server.TokenRequestCount.ShouldBe(1);
        _server.Requests.Count.ShouldBe(6);
        _server.Requests.ShouldAllBe(r => r.Headers["Authorization"] == "Bearer ya29.issued-by-the-fake");
        _server.Requests[0].Path.ShouldStartWith("/v1/projects/sa-project/locations/us-central1/"); // project_id of the file
    }

    [Fact]
    public async Task VertexTokenUrl_OverridesTheFilesTokenUri()
    {
        string file = ServiceAccountFile("http://127.0.0.1:1/never-used", project: "p");
        _server.Enqueue(FakeTurn.Text("ok"));

        await Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file, ["VERTEX_TOKEN_URL"] = _server.TokenEndpoint.AbsoluteUri })
            .Create("vertex/claude-sonnet-4@20250514").GetResponseAsync("hi");

        _server.TokenRequestCount.ShouldBe(1);
        _server.Requests.ShouldHaveSingleItem().Headers["Authorization"].ShouldBe("Bearer ya29.issued-by-the-fake");
    }

    [Fact]
    public async Task TokenEndpointOption_OverridesTheEnvironment()
    {
        string file = ServiceAccountFile("http://127.0.0.1:1/never-used", project: "p");
        _server.Enqueue(FakeTurn.Text("ok"));

        await Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file, ["VERTEX_TOKEN_URL"] = "http://127.0.0.1:1/nor-this" })
            .Create("vertex/gemini-2.5-flash", new ChatClientOptions { Endpoint = _server.BaseUri, TokenEndpoint = _server.TokenEndpoint }).GetResponseAsync("hi");

        _server.TokenRequestCount.ShouldBe(1);
    }

    [Fact]
    public async Task TokenEndpointRefusesTheGrant_IsAuthenticationErrorNamingTheFileNotTheKey()
    {
        string file = ServiceAccountFile(_server.TokenEndpoint.AbsoluteUri, project: "p");
        _server.EnqueueTokenError(401, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""");
        IChatClient chat = Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file }).Create("vertex/gemini-2.5-flash");

        ProviderAuthenticationException error = await Should.ThrowAsync<ProviderAuthenticationException>(() => chat.GetResponseAsync("hi"));

        error.Provider.ShouldBe("vertex");
        error.StatusCode.ShouldBe(401);
        error.ErrorCode.ShouldBe("invalid_grant");
        error.Message.ShouldContain(file);
        error.Message.ShouldContain("Invalid JWT Signature.");
        error.Message.ShouldNotContain("PRIVATE KEY");
        error.IsTransient.ShouldBeFalse();
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task TokenEndpointFails_IsTransientServerErrorWholeAndStreamed()
    {
        string file = ServiceAccountFile(_server.TokenEndpoint.AbsoluteUri, project: "p");
        _server.EnqueueTokenError(500, """{"error":"internal_failure","error_description":"Backend error"}""");
        _server.EnqueueTokenError(500, """{"error":"internal_failure","error_description":"Backend error"}""");
        IChatClient chat = Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file }).Create("vertex/claude-sonnet-4@20250514");

        ProviderServerException whole = await Should.ThrowAsync<ProviderServerException>(() => chat.GetResponseAsync("hi"));
        ProviderServerException streamed = await Should.ThrowAsync<ProviderServerException>(async () => await chat.GetStreamingResponseAsync("hi").ToListAsync());

        foreach (ProviderServerException error in new[] { whole, streamed })
        {
            error.IsTransient.ShouldBeTrue();
            error.StatusCode.ShouldBe(500);
            error.Message.ShouldContain(file);
        }
    }

    [Fact]
    public async Task AssertionSignedByAnotherKey_IsRefusedByTheTokenEndpoint()
    {
        using RSA other = RSA.Create(2048);
        string file = ServiceAccountFile(_server.TokenEndpoint.AbsoluteUri, project: "p", other);
        IChatClient chat = Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file }).Create("vertex/gemini-2.5-flash");

        ProviderAuthenticationException error = await Should.ThrowAsync<ProviderAuthenticationException>(() => chat.GetResponseAsync("hi"));

        error.Message.ShouldContain("Invalid JWT Signature.");
    }

    [Fact]
    public async Task GcloudApplicationDefaultCredentials_AuthorizedUserRefreshesAtItsTokenUri()
    {
        string gcloud = Path.Combine(_folder, "home", ".config", "gcloud");
        Directory.CreateDirectory(gcloud);
        string adc = Path.Combine(gcloud, "application_default_credentials.json");
        File.WriteAllText(adc, new JsonObject
        {
            ["type"] = "authorized_user",
            ["client_id"] = "123.apps.googleusercontent.com",
            ["client_secret"] = "d-FL95Q19q7MQmFpd7hHD0Ty",
            ["refresh_token"] = "1//0refresh",
            ["quota_project_id"] = "adc-project",
        }.ToJsonString());
        _server.Enqueue(FakeTurn.Text("ok"));

        await Registry(new() { ["HOME"] = Path.Combine(_folder, "home"), ["APPDATA"] = Path.Combine(_folder, "home", ".config"), ["VERTEX_TOKEN_URL"] = _server.TokenEndpoint.AbsoluteUri })
            .Create("vertex/gemini-2.5-flash").GetResponseAsync("hi");

        _server.TokenRequestCount.ShouldBe(1);
        RecordedRequest request = _server.Requests.ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe("Bearer ya29.issued-by-the-fake");
        request.Path.ShouldStartWith("/v1/projects/adc-project/");
    }

    [Fact]
    public async Task VertexAccessToken_IsSentAsItIsWithoutAskingTheTokenEndpoint()
    {
        _server.VertexAccessToken = "ya29.from-gcloud-print-access-token";
        _server.Enqueue(FakeTurn.Text("ok"));
        string file = ServiceAccountFile(_server.TokenEndpoint.AbsoluteUri, project: "p");

        await Registry(new() { ["VERTEX_ACCESS_TOKEN"] = "ya29.from-gcloud-print-access-token", ["VERTEX_PROJECT"] = "p", ["GOOGLE_APPLICATION_CREDENTIALS"] = file })
            .Create("vertex/gemini-2.5-flash").GetResponseAsync("hi");

        _server.TokenRequestCount.ShouldBe(0);
        _server.Requests.ShouldHaveSingleItem().Headers["Authorization"].ShouldBe("Bearer ya29.from-gcloud-print-access-token");
    }

    [Fact]
    public void CredentialFileNotJson_IsConfigurationErrorNamingTheVariable()
    {
        string file = Path.Combine(_folder, "broken.json");
        File.WriteAllText(file, "-----BEGIN PRIVATE KEY-----\nnot json\n");

        ConfigurationException error = Should.Throw<ConfigurationException>(() => Registry(new() { ["GOOGLE_APPLICATION_CREDENTIALS"] = file }).Create("vertex/gemini-2.5-flash"));

        error.VariableName.ShouldBe("GOOGLE_APPLICATION_CREDENTIALS");
        error.Message.ShouldContain(file);
        error.Message.ShouldNotContain("BEGIN PRIVATE KEY");
    }

    private ProviderRegistry Registry(Dictionary<string, string> environment)
    {
        environment.TryAdd("VERTEX_BASE_URL", _server.BaseUri.AbsoluteUri);
        environment.TryAdd("HOME", _folder);
        return new ProviderRegistry(name => environment.GetValueOrDefault(name), () => false);
    }

    private string ServiceAccountFile(string tokenUri, string project, RSA? key = null)
    {
        string path = Path.Combine(_folder, $"sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = project,
            ["private_key_id"] = "key-1",
            ["private_key"] = (key ?? _key).ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "allos-test@" + project + ".iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        }.ToJsonString());
        return path;
    }
}
