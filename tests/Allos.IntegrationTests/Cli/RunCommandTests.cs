namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos run</c> as a real process against the fake provider server.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Theory]
    [InlineData("openai", "openai/gpt-4o-mini")]
    [InlineData("anthropic", "anthropic/claude-sonnet-4-5")]
    [InlineData("gemini", "gemini/gemini-2.5-flash")]
    [InlineData("ollama", "ollama/llama3.1")]
    public async Task Run_TaskWithToolCalls_WritesTheFileAndPrintsTheAnswer(string provider, string model)
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello from the agent\n"}""")),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(40, 8));
        _cli.UseFakeServer(_server, provider);

        CliResult result = await _cli.RunAsync("run", "--model", model, "-y", "Create notes/hello.txt");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllText(Path.Combine(_cli.Workspace, "notes", "hello.txt")).ShouldBe("hello from the agent\n");
        result.Stdout.Trim().ShouldBe("Created notes/hello.txt.");
        result.Stderr.ShouldContain("write_file notes/hello.txt");
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[0].Body.ShouldContain("write_file", customMessage: "the built-in tools are declared to the model");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ProviderAnswersAnEmptyObject_IsAFailureNotACompletedRun(bool stream)
    {
        // A 200 whose body is "{}" was reported as "completed" with an empty answer.
        _server.FallbackTurn = stream ? FakeTurn.Raw("text/event-stream", "data: {}\n\n", "data: [DONE]\n\n") : FakeTurn.Raw("application/json", "{}");
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync(stream ? ["run", "-m", "openai/gpt-4o-mini", "--json", "Hi"] : ["run", "-m", "openai/gpt-4o-mini", "--json", "--no-stream", "Hi"]);

        result.ExitCode.ShouldNotBe(0, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("failed");
        json.GetProperty("error").ToString().ShouldContain("not a response");
    }

    [Fact]
    public async Task Run_Json_PrintsExactlyOneObjectWithTheContract()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "list_directory", """{"path":"."}""")).WithUsage(30, 5),
            FakeTurn.Text("The folder is empty.").WithUsage(50, 6));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "What is in this folder?");

        result.ExitCode.ShouldBe(0, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("completed");
        json.GetProperty("text").GetString().ShouldBe("The folder is empty.");
        json.GetProperty("session").GetString().ShouldNotBeNullOrEmpty();
        json.GetProperty("agent").GetString().ShouldBe("allos");
        json.GetProperty("model").GetString().ShouldBe("openai/gpt-4o-mini");
        json.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBe(80);
        json.GetProperty("usage").GetProperty("output_tokens").GetInt64().ShouldBe(11);
        json.GetProperty("usage").GetProperty("cached_input_tokens").GetInt64().ShouldBe(0);
        json.GetProperty("usage").GetProperty("reasoning_tokens").GetInt64().ShouldBe(0);
        json.GetProperty("cost_usd").GetDecimal().ShouldBe(((80 * 0.15m) + (11 * 0.60m)) / 1_000_000m);
        var call = json.GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        call.GetProperty("name").GetString().ShouldBe("list_directory");
        call.GetProperty("arguments").GetProperty("path").GetString().ShouldBe(".");
        call.GetProperty("status").GetString().ShouldBe("ok");
        json.GetProperty("handoffs").GetArrayLength().ShouldBe(0);
        json.GetProperty("error").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Run_JsonWithoutYes_DeniesTheToolAndExitsAwaitingApproval()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"out.txt","content":"x"}""")));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "Write out.txt");

        result.ExitCode.ShouldBe(4, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("awaiting_approval");
        var call = json.GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        call.GetProperty("name").GetString().ShouldBe("write_file");
        call.GetProperty("status").GetString().ShouldBe("denied");
        File.Exists(Path.Combine(_cli.Workspace, "out.txt")).ShouldBeFalse();
        _server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Run_NoAnswerOnStdin_StopsWithoutRunningTheToolAndSaysSo()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"out.txt","content":"x"}""")));
        _server.FallbackTurn = FakeTurn.Text("should not be asked again");
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunWithInputAsync(string.Empty, "run", "-m", "openai/gpt-4o-mini", "Write out.txt");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.Stderr.ShouldContain("needs approval: write_file was not run");
        result.Stderr.ShouldContain("-y");
        File.Exists(Path.Combine(_cli.Workspace, "out.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Run_MissingKey_ExitsWithConfigurationErrorNamingTheVariable()
    {
        _cli.Environment["OPENAI_BASE_URL"] = _server.OpenAIEndpoint.ToString();

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "Hello");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("OPENAI_API_KEY");
        result.Stderr.ShouldContain("hint:");
        result.Stdout.ShouldBeEmpty();
        _server.Requests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Run_UnknownProvider_ExitsWithConfigurationError()
    {
        CliResult result = await _cli.RunAsync("run", "-m", "nosuch/model", "Hello");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("Unknown provider 'nosuch'");
    }

    [Theory]
    [InlineData("run", "--no-such-flag", "Hello")]
    [InlineData("run", "--max-iterations", "many", "Hello")]
    [InlineData("sessions", "frobnicate")]
    public async Task Run_BadFlags_ExitWithUsageError(params string[] args)
    {
        CliResult result = await _cli.RunAsync(args);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("error:");
        result.Stderr.ShouldContain("allos --help");
    }

    [Fact]
    public async Task Run_NoTaskAndNothingPiped_IsAUsageError()
    {
        CliResult result = await _cli.RunWithInputAsync(string.Empty, "run", "-m", "openai/gpt-4o-mini");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("no task");
    }

    [Fact]
    public async Task Run_ProviderKeepsFailing_ExitsOneWithTheErrorInJson()
    {
        _server.FallbackTurn = FakeTurn.ProviderError(500, "The server had an error", "server_error");
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "Hello");

        result.ExitCode.ShouldBe(1, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("failed");
        json.GetProperty("error").GetProperty("type").GetString().ShouldBe("ProviderServerException");
        json.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("The server had an error");
        _server.Requests.Count.ShouldBe(3, "the Router retries a plain --model twice by default");
    }

    [Fact]
    public async Task Run_RateLimitedOnce_IsRetriedByTheRouter()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after-ms", "50"), FakeTurn.Text("after a pause"));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("after a pause");
    }

    [Fact]
    public async Task Run_SessionResumedByASecondProcess_SendsTheEarlierExchange()
    {
        _server.Enqueue(FakeTurn.Text("Your name is Ada."), FakeTurn.Text("You told me: Ada."));
        _cli.UseFakeServer(_server, "openai");

        CliResult first = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--session", "project-x", "My name is Ada.");
        CliResult second = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-s", "project-x", "--json", "What is my name?");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Json().GetProperty("session").GetString().ShouldBe("project-x");
        string body = _server.Requests[1].Body;
        body.ShouldContain("My name is Ada.");
        body.ShouldContain("Your name is Ada.");
        body.ShouldContain("What is my name?");
    }

    [Fact]
    public async Task Run_SessionFile_IsLoadedAndSavedAfterEachTurn()
    {
        _server.Enqueue(FakeTurn.Text("Noted."), FakeTurn.Text("Still noted."));
        _cli.UseFakeServer(_server, "openai");
        string file = Path.Combine(_cli.Workspace, "chat.json");

        (await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--session", file, "Remember 42.")).ExitCode.ShouldBe(0);
        File.ReadAllText(file).ShouldContain("Remember 42.");
        (await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--session", file, "What did I ask?")).ExitCode.ShouldBe(0);

        _server.Requests[1].Body.ShouldContain("Remember 42.");
        File.ReadAllText(file).ShouldContain("Still noted.");
    }

    [Fact]
    public async Task Run_TaskOnStdin_IsRead_AndBareTaskFormWorks()
    {
        _server.Enqueue(FakeTurn.Text("4"), FakeTurn.Text("5"));
        _cli.UseFakeServer(_server, "openai");

        CliResult piped = await _cli.RunWithInputAsync("What is two plus two?", "run", "-m", "openai/gpt-4o-mini", "-q");
        CliResult bare = await _cli.RunAsync("-m", "openai/gpt-4o-mini", "-q", "What is two plus three?");

        piped.Stdout.Trim().ShouldBe("4");
        bare.Stdout.Trim().ShouldBe("5");
        bare.Stderr.ShouldBeEmpty("--quiet prints only the answer");
        _server.Requests[0].Body.ShouldContain("What is two plus two?");
        _server.Requests[1].Body.ShouldContain("What is two plus three?");
    }

    [Fact]
    public async Task Run_Verbose_LogsRequestsWithTheKeyMasked()
    {
        _server.Enqueue(FakeTurn.Text("hi"));
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment["OPENAI_API_KEY"] = "sk-live-very-secret-123";

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-v", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("→ POST " + _server.OpenAIEndpoint.ToString().TrimEnd('/') + "/chat/completions");
        result.Stderr.ShouldContain("Authorization: Bearer ***");
        result.Stderr.ShouldContain("← 200");
        result.Stderr.ShouldNotContain("very-secret");
    }

    [Fact]
    public async Task Run_AliasFromAllosYaml_RoutesToItsDeploymentWithFallback()
    {
        await using FakeProviderServer backup = await FakeProviderServer.StartAsync();
        _server.FallbackTurn = FakeTurn.ProviderError(503, "Service unavailable", "server_error");
        backup.Enqueue(FakeTurn.Text("from the fallback group").WithUsage(100, 10));
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), $"""
            default_model: fast
            router:
              retries: 0
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: sk-a
                    base_url: {_server.OpenAIEndpoint}
                fallbacks: [steady]
              steady:
                deployments:
                  - model: anthropic/claude-sonnet-4-5
                    api_key: sk-b
                    base_url: {backup.BaseUri}
            """);

        CliResult result = await _cli.RunAsync("run", "--json", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("text").GetString().ShouldBe("from the fallback group");
        result.Json().GetProperty("model").GetString().ShouldBe("fast");
        result.Json().GetProperty("cost_usd").GetDecimal().ShouldBe(((100 * 3m) + (10 * 15m)) / 1_000_000m, "an alias costs what the deployment that answered costs");
        _server.Requests.Count.ShouldBe(1);
        backup.Requests.ShouldHaveSingleItem().Headers["x-api-key"].ShouldBe("sk-b");
    }

    [Fact]
    public async Task Run_Interrupted_ExitsWith130()
    {
        _server.Enqueue(FakeTurn.Text("a b c d e f g h i j k l m n o p").WithTextChunkSize(2).WithChunkDelay(TimeSpan.FromMilliseconds(500)));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunWithInputAsync(string.Empty, onStarted: async process =>
        {
            // Wait until the request reached the server, then send Ctrl+C's signal.
            for (int i = 0; i < 200 && _server.Requests.Count == 0; i++)
            {
                await Task.Delay(50);
            }

            using var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
        }, "run", "-m", "openai/gpt-4o-mini", "Count slowly");

        result.ExitCode.ShouldBe(130, result.ToString());
        result.Stderr.ShouldContain("cancelled");
    }

    [Fact]
    public async Task Run_AgentFromAgentsYaml_HandsOffAndReportsThePath()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "agents.yaml"), """
            entry: triage
            agents:
              - name: triage
                instructions: Route the user.
                handoffs: [billing]
              - name: billing
                instructions: You answer billing questions.
            """);
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "transfer_to_billing", """{"reason":"a billing question"}""")),
            FakeTurn.Text("Your invoice is paid."));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "triage", "--json", "Is my invoice paid?");

        result.ExitCode.ShouldBe(0, result.ToString());
        var json = result.Json();
        json.GetProperty("agent").GetString().ShouldBe("billing");
        json.GetProperty("handoffs").EnumerateArray().Select(e => e.GetString()).ShouldBe(["billing"]);
        _server.Requests[1].Body.ShouldContain("You answer billing questions.");
    }

    [Fact]
    public async Task Run_AgentWithItsOwnModelAndTools_TheFlagsWin()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "agents.yaml"), """
            agents:
              - name: reader
                model: openai/gpt-4.1
                instructions: You read files.
                tools: [read_file]
            """);
        _server.Enqueue(FakeTurn.Text("first"), FakeTurn.Text("second"));
        _cli.UseFakeServer(_server, "openai");

        CliResult withFlags = await _cli.RunAsync("run", "--agent", "reader", "-m", "openai/gpt-4o-mini", "-t", "grep", "Hello");
        CliResult withoutFlags = await _cli.RunAsync("run", "--agent", "reader", "-m", "openai/gpt-4o-mini", "Hello");

        withFlags.ExitCode.ShouldBe(0, withFlags.ToString());
        _server.Requests[0].Body.ShouldContain("\"model\":\"gpt-4o-mini\"");
        _server.Requests[0].Body.ShouldContain("\"grep\"");
        _server.Requests[0].Body.ShouldNotContain("read_file");
        _server.Requests[0].Body.ShouldContain("You read files.");

        // Without -t the agent keeps its tools; -m still wins over its model.
        withoutFlags.ExitCode.ShouldBe(0, withoutFlags.ToString());
        _server.Requests[1].Body.ShouldContain("\"model\":\"gpt-4o-mini\"");
        _server.Requests[1].Body.ShouldContain("read_file");
    }

    [Fact]
    public async Task Run_AgentWithItsOwnModel_KeepsItWithoutAModelFlag()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "agents.yaml"), """
            agents:
              - name: reader
                model: openai/gpt-4.1
                instructions: You read files.
            """);
        _server.Enqueue(FakeTurn.Text("ok"));
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment["ALLOS_MODEL"] = "openai/gpt-4o-mini";

        CliResult result = await _cli.RunAsync("run", "--agent", "reader", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        _server.Requests[0].Body.ShouldContain("\"model\":\"gpt-4.1\"");
    }

    [Fact]
    public async Task Run_SessionFileInAFolderThatDoesNotExist_IsAUsageErrorBeforeTheModelCall()
    {
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "-s", "/nonexistent/dir/c.json", "Hello");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("/nonexistent/dir");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_VarFlags_ReachTheShellToolWithTheSessionButNotASecretOne()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"echo \"$ALLOS_VAR_TICKET|$ALLOS_VAR_MAX_FILES|${ALLOS_VAR_API_TOKEN:-none}|$ALLOS_SESSION_ID\""}""")),
            FakeTurn.Text("Done."));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "--var", "ticket=ABC-1", "--var", "max-files=3", "--var", "api_token=t0k3n-value", "Check the ticket");

        result.ExitCode.ShouldBe(0, result.ToString());
        string session = result.Json().GetProperty("session").GetString()!;
        string toolResult = _server.Requests[1].Json.GetProperty("messages").EnumerateArray()
            .Single(m => m.GetProperty("role").GetString() == "tool").GetProperty("content").GetString()!;
        toolResult.ShouldContain($"ABC-1|3|none|{session}");
    }

    [Fact]
    public async Task Run_SessionFileThatCannotBeSavedAfterTheCall_ExitsOneAndTheJsonSaysSo()
    {
        // The agent's own shell call replaces the session's folder with a file, so the save after the answer fails (even as root).
        string folder = Path.Combine(_cli.Workspace, "sessions");
        Directory.CreateDirectory(folder);
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "shell", """{"command":"rm -rf sessions && touch sessions"}""")),
            FakeTurn.Text("Done, and paid for."));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "-s", Path.Combine(folder, "c.json"), "Tidy up");

        result.ExitCode.ShouldBe(1, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("failed");
        json.GetProperty("text").GetString().ShouldBe("Done, and paid for.");
        json.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(Path.Combine(folder, "c.json"));
    }

    [Theory]
    [InlineData("shared-session")]
    [InlineData("shared.json")]
    public async Task Run_TwoRunsOnOneSession_TheSecondIsRefusedNamingTheProcessThatHoldsIt(string session)
    {
        _server.Enqueue(FakeTurn.Text("a b c d e f").WithTextChunkSize(2).WithChunkDelay(TimeSpan.FromMilliseconds(300)));
        _cli.UseFakeServer(_server, "openai");
        CliResult? second = null;
        int firstProcess = 0;

        CliResult first = await _cli.RunWithInputAsync(string.Empty, onStarted: async process =>
        {
            firstProcess = process.Id;
            for (int i = 0; i < 200 && _server.Requests.Count == 0; i++)
            {
                await Task.Delay(50);
            }

            second = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-s", session, "Meanwhile");
        }, "run", "-m", "openai/gpt-4o-mini", "-s", session, "Count slowly");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ShouldNotBeNull();
        second.ExitCode.ShouldBe(1, second.ToString());
        second.Stderr.ShouldContain($"is in use by process {firstProcess}");
        _server.Requests.Count.ShouldBe(1, "the second run never called the model");

        // Once the first run ended, the session is free again.
        _server.Enqueue(FakeTurn.Text("later"));
        (await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-s", session, "Later")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Run_ACheapCall_ShowsItsCostWithSignificantDigitsNotZero()
    {
        // gpt-4o-mini: 10 × $0.15 + 2 × $0.60 per million tokens = $0.0000027.
        _server.Enqueue(FakeTurn.Text("Hi.").WithUsage(10, 2));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("$0.0000027");
        result.Stderr.ShouldNotContain("$0 ");
    }

    [Fact]
    public async Task Run_NoStream_AsksForWholeAnswers()
    {
        _server.Enqueue(FakeTurn.Text("whole"));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--no-stream", "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("whole");
        _server.Requests.ShouldHaveSingleItem().Streaming.ShouldBeFalse();
    }

    [Fact]
    public async Task Run_RecordsEachModelCallOnceWithItsSession()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "list_directory", """{"path":"."}""")).WithUsage(30, 5),
            FakeTurn.Text("Empty.").WithUsage(50, 6));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "List the folder");

        result.ExitCode.ShouldBe(0, result.ToString());
        string session = result.Json().GetProperty("session").GetString()!;
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_cli.Home, "allos.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) || '|' || sum(input_tokens) || '|' || sum(output_tokens) || '|' || min(session_id) || '|' || min(deployment) FROM model_calls";
        command.ExecuteScalar().ShouldBe($"2|80|11|{session}|openai/gpt-4o-mini", "the Router records each call once; the session does not record it again");
    }
}
