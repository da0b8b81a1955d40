using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos serve</c> as a real process: it prints the bound URL, answers OpenAI requests and stops gracefully on SIGTERM.</summary>
public sealed class ServeCommandTests : FakeServerCliTests
{
    [Fact]
    public async Task Serve_Port0_PrintsTheUrlServesChatCompletionsAndStopsOnSigterm()
    {
        Server.Enqueue(FakeTurn.Text("served through allos serve").WithUsage(5, 4));
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: sk-a
                    base_url: {Server.OpenAIEndpoint}
            """);

        (Process process, Uri url, StringBuilder stderr) = await ServeAsync();
        try
        {
            url.Port.ShouldNotBe(0);

            using var http = new HttpClient { BaseAddress = url };
            using HttpResponseMessage response = await http.PostAsync("v1/chat/completions",
                new StringContent("""{"model":"fast","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));
            string body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            using JsonDocument json = JsonDocument.Parse(body);
            json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldBe("served through allos serve");
            json.RootElement.GetProperty("model").GetString().ShouldBe("fast");

            // SIGTERM (what a service manager or container runtime sends): the server drains and the command exits 0. The test
            // host starts children with SIGINT ignored or blocked, so Ctrl-C itself was tried by hand, not here.
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            process.ExitCode.ShouldBe(0, stderr.ToString());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    [Fact]
    public async Task Serve_SigtermMidStream_TheStreamFinishesExit0AndTheSpendLogHoldsItsRow()
    {
        const string text = "a slow answer that is still streaming when the server is told to stop";
        Server.Enqueue(FakeTurn.Text(text).WithTextChunkSize(4).WithChunkDelay(TimeSpan.FromMilliseconds(100)).WithUsage(12, 18));
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
            gateway:
              master_key: sk-master-serve-test-0123
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: sk-a
                    base_url: {Server.OpenAIEndpoint}
            """);

        (Process process, Uri url, StringBuilder stderr) = await ServeAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };

            using var team = new HttpRequestMessage(HttpMethod.Post, "team/new") { Content = new StringContent("""{"team_id":"research"}""", Encoding.UTF8, "application/json") };
            team.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-master-serve-test-0123");
            (await http.SendAsync(team)).IsSuccessStatusCode.ShouldBeTrue("POST /team/new");

            using var generate = new HttpRequestMessage(HttpMethod.Post, "key/generate") { Content = new StringContent("""{"key_alias":"ci-bot","team_id":"research"}""", Encoding.UTF8, "application/json") };
            generate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-master-serve-test-0123");
            using HttpResponseMessage generated = await http.SendAsync(generate);
            string key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

            using var chat = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent("""{"model":"fast","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
            };
            chat.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using HttpResponseMessage response = await http.SendAsync(chat, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var received = new StringBuilder();
            string? first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            first.ShouldNotBeNull();
            first.ShouldStartWith("data: ");
            received.AppendLine(first);

            // Mid-stream (about 1.8 s of chunks are still to come): the server must drain it, not cut it.
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            received.Append(await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            string body = received.ToString();
            body.ShouldContain("data: [DONE]");
            string streamed = string.Concat(body.Split('\n')
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("choices"))
                .Where(choices => choices.GetArrayLength() > 0)
                .Select(choices => choices[0].GetProperty("delta").TryGetProperty("content", out JsonElement content) ? content.GetString() : null));
            streamed.ShouldBe(text);

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            process.ExitCode.ShouldBe(0, stderr.ToString());

            // The row was queued as the stream ended, during the drain: the shutdown flush wrote it.
            CliResult stats = await Cli.RunAsync("stats", "--by", "key", "--json");
            stats.ExitCode.ShouldBe(0, stats.ToString());
            JsonElement row = stats.Json().GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
            row.GetProperty("key").GetString().ShouldBe("ci-bot");
            row.GetProperty("calls").GetInt64().ShouldBe(1);
            row.GetProperty("input_tokens").GetInt64().ShouldBe(12);
            row.GetProperty("output_tokens").GetInt64().ShouldBe(18);
            CliResult teams = await Cli.RunAsync("stats", "--by", "team", "--json");
            teams.Json().GetProperty("rows").EnumerateArray().ShouldHaveSingleItem().GetProperty("key").GetString().ShouldBe("research");
            (await Cli.RunAsync("stats", "--by", "key")).Stdout.ShouldContain("ci-bot");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    [Fact]
    public async Task Serve_BadGatewaySection_Exits3WithFileAndLine()
    {
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), "gateway:\n  port: lots\n");

        CliResult result = await Cli.RunAsync("serve");

        result.ExitCode.ShouldBe(ExitCodes3, result.ToString());
        result.Stderr.ShouldContain("allos.yaml:2: ");
        result.Stderr.ShouldContain("port must be a whole number, not 'lots'.");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_MissingConfigFile_Exits3SayingSo()
    {
        CliResult result = await Cli.RunAsync("serve", "--config", "nope.yaml");

        result.ExitCode.ShouldBe(ExitCodes3, result.ToString());
        result.Stderr.ShouldContain("nope.yaml' does not exist. Pass an existing allos.yaml to --config.");
    }

    [Fact]
    public async Task Serve_MetricsAndSpendLogOff_NoMetricsEndpointAndNoRows()
    {
        Server.Enqueue(FakeTurn.Text("not logged").WithUsage(5, 4));
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
            gateway:
              metrics: false
              spend_log: false
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: sk-a
                    base_url: {Server.OpenAIEndpoint}
            """);

        (Process process, Uri url, StringBuilder stderr) = await ServeAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            using HttpResponseMessage response = await http.PostAsync("v1/chat/completions",
                new StringContent("""{"model":"fast","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            (await http.GetAsync("metrics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await http.GetAsync("health/readiness")).StatusCode.ShouldBe(HttpStatusCode.OK);

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            process.ExitCode.ShouldBe(0, stderr.ToString());
            CliResult stats = await Cli.RunAsync("stats", "--json");
            stats.ExitCode.ShouldBe(0, stats.ToString());
            stats.Json().GetProperty("rows").GetArrayLength().ShouldBe(0, stats.Stdout);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    private const int ExitCodes3 = 3;

    /// <summary>Starts <c>allos serve --port 0</c> and waits for the address it prints; stderr is collected as it comes.</summary>
    private async Task<(Process Process, Uri Url, StringBuilder Stderr)> ServeAsync()
    {
        Process process = Start("serve", "--port", "0");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        line.ShouldNotBeNull($"allos serve printed nothing; stderr: {stderr}");
        line.ShouldStartWith("Allos gateway listening on http://127.0.0.1:");
        return (process, new Uri(line["Allos gateway listening on ".Length..].Trim() + "/"), stderr);
    }

    /// <summary>Starts the command with its output readable line by line (CliProcess reads it only at exit).</summary>
    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Cli.Workspace,
        };
        start.ArgumentList.Add(CliProcess.CommandPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.EndsWith("_API_KEY", StringComparison.Ordinal) || name.EndsWith("_BASE_URL", StringComparison.Ordinal) || name is "AI_PROVIDER" or "ALLOS_MODEL" or "XDG_CONFIG_HOME")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["ALLOS_HOME"] = Cli.Home;
        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("allos serve did not start.");
    }
}
