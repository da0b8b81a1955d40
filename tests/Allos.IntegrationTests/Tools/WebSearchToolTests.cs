using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Allos.Tools;
using Allos.Tools.BuiltIn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Tools;

/// <summary>
/// <c>web_search</c> against a Kestrel server that speaks the Brave, Tavily and SearXNG wire formats and records what
/// it was sent. The environment is handed to the tool, never set on the process.
/// </summary>
public sealed class WebSearchToolTests : IAsyncLifetime
{
    private const string BraveKey = "brave-secret-key-123";
    private const string TavilyKey = "tvly-secret-key-456";

    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication _server = null!;
    private Uri _base = null!;
    private (int Status, string Body, string? RetryAfter) _answer = (200, "{}", null);

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            _received.Enqueue(new Received(context.Request.Method, context.Request.Path.Value!, context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), context.Request.ContentType, body));
            context.Response.StatusCode = _answer.Status;
            context.Response.ContentType = "application/json";
            if (_answer.RetryAfter is { } after)
            {
                context.Response.Headers.RetryAfter = after;
            }

            await context.Response.WriteAsync(_answer.Body);
        });
        await _server.StartAsync();
        _base = new Uri(_server.Urls.First());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Dictionary<string, string> Brave() => new()
    {
        ["BRAVE_API_KEY"] = BraveKey,
        ["BRAVE_SEARCH_URL"] = new Uri(_base, "/res/v1/web/search").ToString(),
    };

    private Dictionary<string, string> Tavily() => new()
    {
        ["TAVILY_API_KEY"] = TavilyKey,
        ["TAVILY_URL"] = new Uri(_base, "/search").ToString(),
    };

    private Dictionary<string, string> Searxng() => new() { ["SEARXNG_URL"] = new Uri(_base, "/searx/").ToString() };

    private static async Task<string> SearchAsync(IReadOnlyDictionary<string, string> environment, string argumentsJson)
    {
        Tool tool = WebSearchTool.Create(name => environment.GetValueOrDefault(name));
        using JsonDocument document = JsonDocument.Parse(argumentsJson);
        var arguments = new Dictionary<string, object?>();
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.Clone();
        }

        object? result = await tool.InvokeAsync(new AIFunctionArguments(arguments)
        {
            Context = new Dictionary<object, object?>
            {
                [typeof(ToolContext)] = new ToolContext { CallId = "c1", ToolName = tool.Name, Workspace = new Workspace(Path.GetTempPath()) },
            },
        });
        return result.ShouldBeOfType<string>();
    }

    private static async Task<string> FailAsync(IReadOnlyDictionary<string, string> environment, string argumentsJson = """{"query":"x"}""") =>
        (await Should.ThrowAsync<ToolException>(() => SearchAsync(environment, argumentsJson))).Message;

    [Fact]
    public async Task Brave_SendsTheTokenAndCount_ReturnsResultsWithHtmlStripped()
    {
        _answer = (200, """
            {"type":"search","query":{"original":"dotnet aot"},"web":{"type":"search","results":[
              {"title":"Native <strong>AOT</strong> deployment","url":"https://learn.microsoft.com/aot","description":"Publish <strong>.NET</strong> apps as native code &amp; more.","language":"en"},
              {"title":"Second","url":"https://example.com/2","description":"Two"}]}}
            """, null);

        string result = await SearchAsync(Brave(), """{"query":"dotnet aot & more","max_results":2}""");

        result.ShouldBe("1. Native AOT deployment\n   https://learn.microsoft.com/aot\n   Publish .NET apps as native code & more.\n"
            + "2. Second\n   https://example.com/2\n   Two\n");
        Received request = _received.Single();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/res/v1/web/search");
        request.Query["q"].ShouldBe("dotnet aot & more");
        request.Query["count"].ShouldBe("2");
        request.Headers["X-Subscription-Token"].ShouldBe(BraveKey);
        request.Headers["Accept"].ShouldContain("application/json");
    }

    [Fact]
    public async Task Tavily_PostsTheQueryWithBearerKey_ReturnsResults()
    {
        _answer = (200, """
            {"query":"allos","answer":null,"results":[{"title":"Allos","url":"https://allos.dev","content":"An agent toolkit.","score":0.9}],"response_time":0.5}
            """, null);

        string result = await SearchAsync(Tavily(), """{"query":"allos \"quoted\"","max_results":3}""");

        result.ShouldBe("1. Allos\n   https://allos.dev\n   An agent toolkit.\n");
        Received request = _received.Single();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/search");
        request.Headers["Authorization"].ShouldBe($"Bearer {TavilyKey}");
        request.ContentType.ShouldNotBeNull().ShouldStartWith("application/json");
        using JsonDocument body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("query").GetString().ShouldBe("allos \"quoted\"");
        body.RootElement.GetProperty("max_results").GetInt32().ShouldBe(3);
        request.Body.ShouldNotContain(TavilyKey);
    }

    [Fact]
    public async Task Searxng_AsksForJson_ReturnsAtMostMaxResults()
    {
        string items = string.Join(",", Enumerable.Range(1, 8).Select(i => $$"""{"title":"Hit {{i}}","url":"https://e.org/{{i}}","content":"Snippet {{i}}","engine":"duckduckgo"}"""));
        _answer = (200, $$"""{"query":"q","number_of_results":8,"results":[{{items}}]}""", null);

        string result = await SearchAsync(Searxng(), """{"query":"privacy search","max_results":3}""");

        result.ShouldBe("1. Hit 1\n   https://e.org/1\n   Snippet 1\n2. Hit 2\n   https://e.org/2\n   Snippet 2\n3. Hit 3\n   https://e.org/3\n   Snippet 3\n");
        Received request = _received.Single();
        request.Method.ShouldBe("GET");
        request.Path.ShouldBe("/searx/search");
        request.Query["q"].ShouldBe("privacy search");
        request.Query["format"].ShouldBe("json");
        request.Headers.ContainsKey("Authorization").ShouldBeFalse();
    }

    [Fact]
    public async Task MaxResults_Default_IsFiveAndLargeValuesAreCapped()
    {
        string items = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"title":"T{{i}}","url":"https://e.org/{{i}}","description":"d"}"""));
        _answer = (200, $$$"""{"web":{"results":[{{{items}}}]}}""", null);

        string defaulted = await SearchAsync(Brave(), """{"query":"q"}""");
        defaulted.ShouldContain("5. T5");
        defaulted.ShouldNotContain("6. T6");
        _received.Last().Query["count"].ShouldBe("5");

        // Called directly, past the executor's schema check: the handler still caps the count at 20.
        string capped = await SearchAsync(Brave(), """{"query":"q","max_results":50}""");
        capped.ShouldContain("20. T20");
        capped.ShouldNotContain("21. T21");
        _received.Last().Query["count"].ShouldBe("20");
    }

    [Fact]
    public async Task Selection_SeveralSet_BraveThenTavilyThenSearxng()
    {
        _answer = (200, """{"web":{"results":[]},"results":[]}""", null);
        var all = new Dictionary<string, string>(Brave().Concat(Tavily()).Concat(Searxng()));

        await SearchAsync(all, """{"query":"q"}""");
        all.Remove("BRAVE_API_KEY");
        await SearchAsync(all, """{"query":"q"}""");
        all.Remove("TAVILY_API_KEY");
        await SearchAsync(all, """{"query":"q"}""");

        _received.Select(r => r.Path).ShouldBe(["/res/v1/web/search", "/search", "/searx/search"]);
    }

    [Fact]
    public async Task Selection_ExplicitBackend_WinsOverTheOrder()
    {
        _answer = (200, """{"results":[]}""", null);
        var all = new Dictionary<string, string>(Brave().Concat(Tavily()).Concat(Searxng())) { ["ALLOS_WEB_SEARCH_BACKEND"] = "searxng" };

        (await SearchAsync(all, """{"query":"nothing"}""")).ShouldBe("No results for \"nothing\".");

        _received.Single().Path.ShouldBe("/searx/search");
    }

    [Fact]
    public async Task Selection_ExplicitBackendWithoutItsKey_NamesTheVariable()
    {
        var environment = new Dictionary<string, string>(Searxng()) { ["ALLOS_WEB_SEARCH_BACKEND"] = "tavily" };

        (await FailAsync(environment)).ShouldContain("TAVILY_API_KEY");
        (await FailAsync(new Dictionary<string, string> { ["ALLOS_WEB_SEARCH_BACKEND"] = "bing" })).ShouldContain("brave, tavily or searxng");
        _received.ShouldBeEmpty();
    }

    [Fact]
    public async Task NoBackend_FailsNamingTheThreeVariables()
    {
        string message = await FailAsync(new Dictionary<string, string>());

        message.ShouldContain("BRAVE_API_KEY");
        message.ShouldContain("TAVILY_API_KEY");
        message.ShouldContain("SEARXNG_URL");
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Unauthorized_NamesTheKeyVariableNotTheKey(int status)
    {
        _answer = (status, """{"error":"bad key"}""", null);

        string brave = await FailAsync(Brave());
        string tavily = await FailAsync(Tavily());

        brave.ShouldContain("BRAVE_API_KEY");
        brave.ShouldNotContain(BraveKey);
        tavily.ShouldContain("TAVILY_API_KEY");
        tavily.ShouldNotContain(TavilyKey);
    }

    [Fact]
    public async Task RateLimited_SaysSoWithTheRetryAfter()
    {
        _answer = (429, """{"error":"slow down"}""", "7");

        string message = await FailAsync(Tavily());

        message.ShouldContain("rate-limited");
        message.ShouldContain("retry after 7 s");
    }

    [Fact]
    public async Task ServerError_IsAToolError()
    {
        _answer = (500, """{"error":"boom"}""", null);

        string message = await FailAsync(Brave());

        message.ShouldContain("500");
        message.ShouldNotContain(BraveKey);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"unexpected":true}""")]
    [InlineData("""{"results":"nope"}""")]
    public async Task MalformedBody_IsAToolError(string body)
    {
        _answer = (200, body, null);

        (await FailAsync(Searxng())).ShouldContain("cannot read");
    }

    private sealed record Received(string Method, string Path, Dictionary<string, string> Query, Dictionary<string, string> Headers, string? ContentType, string Body);
}
