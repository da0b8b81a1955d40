using System.Text.Json;
using Allos.Providers;
using Allos.Security;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Tools;

public sealed class ToolExecutorTests
{
    private const string ObjectSchema = """{"type":"object"}""";

    private static readonly string[] NoTools = [];

    [Fact]
    public async Task ExecuteAsync_UnknownTool_ListsTheAvailableToolsSorted()
    {
        ToolCallResult result = await Executor().ExecuteAsync(null, Call("delete_everything"), Context(), ["write_file", "glob", "read_file"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: unknown tool 'delete_everything'. Available tools: glob, read_file, write_file.");
        result.Content.CallId.ShouldBe("call-1");
    }

    [Fact]
    public async Task ExecuteAsync_UnknownToolWithNoTools_SaysSo()
    {
        ToolCallResult result = await Executor().ExecuteAsync(null, Call("x"), Context(), NoTools, CancellationToken.None);

        result.Text.ShouldBe("Error: unknown tool 'x'. No tools are available.");
    }

    [Fact]
    public async Task ExecuteAsync_MalformedArguments_ReturnsTheParseProblemWithoutRunningTheHandler()
    {
        bool ran = false;
        Tool tool = Tool.Create("echo", "Echoes.", ObjectSchema, (_, _, _) => { ran = true; return ValueTask.FromResult<object?>("ran"); });
        FunctionCallContent call = WireContent.ParseCall("call-1", "echo", """{"text": "unterminated""");

        ToolCallResult result = await Executor().ExecuteAsync(tool, call, Context(), ["echo"], CancellationToken.None);

        ran.ShouldBeFalse();
        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldStartWith("Error: the arguments for 'echo' could not be read: ");
        result.Text.ShouldContain("LineNumber: 0"); // The parser's own words, which say where the JSON broke.
        result.Text.ShouldContain("Send the arguments as a JSON object");
    }

    [Theory]
    [InlineData("""{}""", "$.path is required")]
    [InlineData("""{"path":7}""", "$.path must be a string")]
    [InlineData("""{"path":"a","mode":"fast"}""", "$.mode must be one of \"read\", \"write\"")]
    [InlineData("""{"path":"a","limit":0}""", "$.limit must be >= 1")]
    [InlineData("""{"path":"a","limit":1.5}""", "$.limit must be an integer")]
    [InlineData("""{"path":"a","range":{"start":"x"}}""", "$.range.start must be an integer")]
    [InlineData("""{"path":"a","tags":["ok",3]}""", "$.tags[1] must be a string")]
    public async Task ExecuteAsync_InvalidArguments_ReturnsTheErrorsWithoutRunningTheHandler(string arguments, string expected)
    {
        bool ran = false;
        Tool tool = Tool.Create("open", "Opens.", """
            {"type":"object","properties":{"path":{"type":"string"},"mode":{"enum":["read","write"]},
             "limit":{"type":"integer","minimum":1},"range":{"type":"object","properties":{"start":{"type":"integer"}}},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["path"]}
            """, (_, _, _) => { ran = true; return ValueTask.FromResult<object?>("ran"); });

        ToolCallResult result = await Executor().ExecuteAsync(tool, Parsed("open", arguments), Context(), ["open"], CancellationToken.None);

        ran.ShouldBeFalse();
        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe($"Error: invalid arguments for 'open': {expected}. Fix the arguments and call the tool again.");
    }

    [Fact]
    public async Task ExecuteAsync_SeveralInvalidArguments_JoinsTheErrors()
    {
        Tool tool = Tool.Create("f", "F.", """{"type":"object","properties":{"a":{"type":"string"}},"required":["a","b"]}""",
            (_, _, _) => ValueTask.FromResult<object?>("ran"));

        ToolCallResult result = await Executor().ExecuteAsync(tool, Parsed("f", """{"a":1}"""), Context(), ["f"], CancellationToken.None);

        result.Text.ShouldBe("Error: invalid arguments for 'f': $.b is required; $.a must be a string. Fix the arguments and call the tool again.");
    }

    [Fact]
    public async Task ExecuteAsync_ValidArguments_RunsTheHandlerWithTheArgumentsAndContext()
    {
        ToolContext? seen = null;
        Tool tool = Tool.Create("greet", "Greets.", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""",
            (arguments, context, _) =>
            {
                seen = context;
                return ValueTask.FromResult<object?>("Hello, " + arguments.GetProperty("name").GetString());
            });
        ToolContext context = Context("greet");

        ToolCallResult result = await Executor().ExecuteAsync(tool, Parsed("greet", """{"name":"Ada"}"""), context, ["greet"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Ok);
        result.Text.ShouldBe("Hello, Ada");
        result.Content.Result.ShouldBe("Hello, Ada");
        seen.ShouldBeSameAs(context);
        result.Duration.ShouldBeGreaterThanOrEqualTo(TimeSpan.Zero);
    }

    [Fact]
    public async Task ExecuteAsync_ArgumentsBuiltInCode_AreValidatedToo()
    {
        Tool tool = Tool.Create("f", "F.", """{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""",
            (arguments, _, _) => ValueTask.FromResult<object?>(arguments.GetProperty("n").GetInt32() * 2));

        ToolCallResult ok = await Executor().ExecuteAsync(tool, new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["n"] = 21 }), Context(), ["f"], CancellationToken.None);
        ToolCallResult bad = await Executor().ExecuteAsync(tool, new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["n"] = "21" }), Context(), ["f"], CancellationToken.None);

        ok.Text.ShouldBe("42");
        bad.Text.ShouldContain("$.n must be an integer");
    }

    [Fact]
    public async Task ExecuteAsync_HandlerThrows_ReturnsTheMessageButNeverTheTypeOrStack()
    {
        Tool tool = Throwing(new InvalidOperationException("the file is locked"));

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = true }).ExecuteAsync(tool, Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: the file is locked");
    }

    [Fact]
    public async Task ExecuteAsync_ToolExceptionByDefault_ReachesTheModelButOtherMessagesDoNot()
    {
        ToolCallResult written = await Executor().ExecuteAsync(Throwing(new ToolException("no such file: a.txt")), Call("boom"), Context(), ["boom"], CancellationToken.None);
        ToolCallResult internals = await Executor().ExecuteAsync(Throwing(new InvalidOperationException("Password=secret")), Call("boom"), Context(), ["boom"], CancellationToken.None);

        written.Text.ShouldBe("Error: no such file: a.txt");
        internals.Outcome.ShouldBe(ToolCallOutcome.Error);
        internals.Text.ShouldNotContain("secret");
    }

    [Fact]
    public async Task ExecuteAsync_HandlerThrowsWithMessagesHidden_ReturnsAGenericError()
    {
        Tool tool = Throwing(new InvalidOperationException("connection string Server=db;Password=secret"));

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = false }).ExecuteAsync(tool, Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: 'boom' failed. Check the arguments, or try another way.");
        result.Text.ShouldNotContain("secret");
        result.Text.ShouldNotContain(nameof(InvalidOperationException));
    }

    [Fact]
    public async Task ExecuteAsync_WorkspaceAccessRefused_AlwaysTellsTheModel()
    {
        Tool tool = Throwing(new WorkspaceAccessException("../etc/passwd", "it is outside the workspace /w"));

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = false }).ExecuteAsync(tool, Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: Access to '../etc/passwd' is refused: it is outside the workspace /w.");
    }

    [Fact]
    public async Task ExecuteAsync_HandlerOwnCancellation_IsAnErrorNotACancelledRun()
    {
        Tool tool = Throwing(new TaskCanceledException("The HTTP request timed out."));

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = true }).ExecuteAsync(tool, Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: The HTTP request timed out.");
    }

    [Fact]
    public async Task ExecuteAsync_HandlerExceedsToolTimeout_ReturnsATimeoutError()
    {
        Tool tool = Tool.Create("slow", "Slow.", ObjectSchema, async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        }, timeout: TimeSpan.FromMilliseconds(100));

        ToolCallResult result = await Executor().ExecuteAsync(tool, Call("slow"), Context(), ["slow"], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldStartWith("Error: 'slow' timed out after 0.1 s");
        result.Duration.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90));
    }

    [Fact]
    public async Task ExecuteAsync_HandlerIgnoringItsToken_IsAbandonedAtTheDefaultTimeout()
    {
        var never = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Tool tool = Tool.Create("stuck", "Stuck.", ObjectSchema, (_, _, _) => new ValueTask<object?>(never.Task));

        ToolCallResult result = await Executor(new() { DefaultTimeout = TimeSpan.FromMilliseconds(150) })
            .ExecuteAsync(tool, Call("stuck"), Context(), ["stuck"], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldStartWith("Error: 'stuck' timed out after 0.15 s");
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_PropagatesOperationCanceledException()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Tool tool = Tool.Create("slow", "Slow.", ObjectSchema, async (_, _, cancellationToken) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        });
        using var cts = new CancellationTokenSource();

        Task<ToolCallResult> running = Executor().ExecuteAsync(tool, Call("slow"), Context(), ["slow"], cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ExecuteAsync_HandlerBlockingBeforeItsFirstAwait_TimesOutAtItsTimeout()
    {
        using var release = new ManualResetEventSlim();
        Tool tool = Tool.From(AIFunctionFactory.Create(() => { release.Wait(); return "released"; }, "blocking"), timeout: TimeSpan.FromMilliseconds(200));
        try
        {
            // Task.Run and a generous limit: without the fix the call itself blocks, and this turns the hang into a failure.
            ToolCallResult result = await Task.Run(() => Executor().ExecuteAsync(tool, Call("blocking"), Context(), ["blocking"], CancellationToken.None))
                .WaitAsync(TimeSpan.FromSeconds(30));

            result.Outcome.ShouldBe(ToolCallOutcome.Error);
            result.Text.ShouldStartWith("Error: 'blocking' timed out after 0.2 s");
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task ExecuteAsync_HandlerBlockingBeforeItsFirstAwait_CallerCancellationStillPropagates()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        Tool tool = Tool.Create("blocking", "Blocks.", ObjectSchema, (_, _, _) =>
        {
            started.Set();
            release.Wait();
            return ValueTask.FromResult<object?>("released");
        });
        using var cts = new CancellationTokenSource();
        try
        {
            Task<ToolCallResult> running = Task.Run(() => Executor(new() { DefaultTimeout = Timeout.InfiniteTimeSpan })
                .ExecuteAsync(tool, Call("blocking"), Context(), ["blocking"], cts.Token));
            started.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
            await cts.CancelAsync();

            await Should.ThrowAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task ExecuteAsync_HandlerBlockedOpeningANamedPipe_TimesOutAtItsTimeout()
    {
        using var temp = new TempWorkspace();
        string pipe = temp.MakeFifo("pipe");
        Tool tool = Tool.From(AIFunctionFactory.Create(() => File.ReadAllText(pipe), "read_pipe"), timeout: TimeSpan.FromMilliseconds(200));
        try
        {
            ToolCallResult result = await Task.Run(() => Executor().ExecuteAsync(tool, Call("read_pipe"), Context(), ["read_pipe"], CancellationToken.None))
                .WaitAsync(TimeSpan.FromSeconds(30));

            result.Outcome.ShouldBe(ToolCallOutcome.Error);
            result.Text.ShouldStartWith("Error: 'read_pipe' timed out after 0.2 s");
        }
        finally
        {
            // Opening the write end releases the reader stuck in open(2); it then reads end-of-file and returns.
            await Task.Run(() => new FileStream(pipe, FileMode.Open, FileAccess.Write).Dispose()).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCancelled_ThrowsWithoutRunning()
    {
        bool ran = false;
        Tool tool = Tool.Create("f", "F.", ObjectSchema, (_, _, _) => { ran = true; return ValueTask.FromResult<object?>(null); });

        await Should.ThrowAsync<OperationCanceledException>(() => Executor().ExecuteAsync(tool, Call("f"), Context(), ["f"], new CancellationToken(canceled: true)));
        ran.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_LongResult_IsCutWithAMarker()
    {
        Tool tool = Returning(new string('x', 1000));

        ToolCallResult result = await Executor(new() { MaxResultCharacters = 100 }).ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Ok);
        result.Text.ShouldBe(new string('x', 100) + "\n[... output truncated: 100 of 1,000 characters shown ...]");
    }

    [Fact]
    public async Task ExecuteAsync_LongError_IsCutToo()
    {
        Tool tool = Throwing(new InvalidOperationException(new string('e', 500)));

        ToolCallResult result = await Executor(new() { MaxResultCharacters = 50, IncludeExceptionMessages = true }).ExecuteAsync(tool, Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Text.ShouldEndWith("\n[... output truncated: 50 of 507 characters shown ...]");
    }

    [Fact]
    public void Cap_LargeNumbers_UseThousandsSeparatorsAndNeverSplitASurrogatePair()
    {
        ToolExecutor.Cap(new string('a', 67_890), 12_345).ShouldEndWith("\n[... output truncated: 12,345 of 67,890 characters shown ...]");
        ToolExecutor.Cap("ab😀cd", 3).ShouldBe("ab\n[... output truncated: 2 of 6 characters shown ...]");
        ToolExecutor.Cap("short", 5).ShouldBe("short");
    }

    [Fact]
    public void ResultToText_CommonShapes_AreReadable()
    {
        ToolExecutor.ResultToText(null).ShouldBe("");
        ToolExecutor.ResultToText("as is \"quoted\"").ShouldBe("as is \"quoted\"");
        ToolExecutor.ResultToText(42).ShouldBe("42");
        ToolExecutor.ResultToText(true).ShouldBe("true");
        ToolExecutor.ResultToText(new TextContent("from content")).ShouldBe("from content");
        ToolExecutor.ResultToText(new List<AIContent> { new TextContent("a"), new TextContent("b") }).ShouldBe("ab");
        ToolExecutor.ResultToText(JsonDocument.Parse("\"a json string\"").RootElement).ShouldBe("a json string");
        ToolExecutor.ResultToText(JsonDocument.Parse("""
            {
              "b": [1, 2],
              "a": {"d": null, "c": "é"}
            }
            """).RootElement).ShouldBe("""{"a":{"c":"é","d":null},"b":[1,2]}""");
    }

    [Fact]
    public void ResultToText_DictionariesWithKeysInsertedInDifferentOrders_SerializeIdentically()
    {
        var first = new Dictionary<string, object?> { ["zeta"] = 1, ["alpha"] = "a", ["Mid"] = new Dictionary<string, object?> { ["y"] = true, ["x"] = null } };
        var second = new Dictionary<string, object?> { ["Mid"] = new Dictionary<string, object?> { ["x"] = null, ["y"] = true }, ["alpha"] = "a", ["zeta"] = 1 };

        string text = ToolExecutor.ResultToText(first);

        text.ShouldBe(ToolExecutor.ResultToText(second));
        text.ShouldBe("""{"Mid":{"x":null,"y":true},"alpha":"a","zeta":1}""");
    }

    [Fact]
    public async Task ExecuteAsync_UnserializableResult_IsAnError()
    {
        Tool tool = Returning(new Unserializable());

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = false }).ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: the result of 'r' could not be serialized to JSON.");
    }

    [Fact]
    public async Task ExecuteAsync_AIFunctionFactoryMethod_BindsJsonElementArgumentsToParameters()
    {
        Tool tool = Tool.From(AIFunctionFactory.Create((int count, string word, string suffix = "!") => string.Concat(Enumerable.Repeat(word, count)) + suffix, "repeat"));

        ToolCallResult result = await Executor().ExecuteAsync(tool, Parsed("repeat", """{"count":3,"word":"ab"}"""), Context(), ["repeat"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Ok);
        result.Text.ShouldBe("ababab!");
    }

    [Fact]
    public async Task ExecuteAsync_AIFunctionFactoryMethod_ValidatesAgainstItsGeneratedSchema()
    {
        Tool tool = Tool.From(AIFunctionFactory.Create((int count, string word) => word + count, "repeat"));

        ToolCallResult missing = await Executor().ExecuteAsync(tool, Parsed("repeat", """{"word":"ab"}"""), Context(), ["repeat"], CancellationToken.None);
        ToolCallResult wrongType = await Executor().ExecuteAsync(tool, Parsed("repeat", """{"count":"three","word":"ab"}"""), Context(), ["repeat"], CancellationToken.None);

        missing.Text.ShouldBe("Error: invalid arguments for 'repeat': $.count is required. Fix the arguments and call the tool again.");
        wrongType.Text.ShouldBe("Error: invalid arguments for 'repeat': $.count must be an integer. Fix the arguments and call the tool again.");
    }

    [Fact]
    public async Task ExecuteAsync_AIFunctionFactoryMethodReturningADictionary_IsSerializedDeterministically()
    {
        Tool tool = Tool.From(AIFunctionFactory.Create((int n) => new Dictionary<string, object?> { ["z"] = n, ["a"] = n + 1 }, "stats"));

        ToolCallResult result = await Executor().ExecuteAsync(tool, Parsed("stats", """{"n":1}"""), Context(), ["stats"], CancellationToken.None);

        result.Text.ShouldBe("""{"a":2,"z":1}""");
    }

    [Fact]
    public async Task ExecuteAsync_AIFunctionFactoryMethodThrows_UnwrapsTheRealMessage()
    {
        Tool tool = Tool.From(AIFunctionFactory.Create(string (int n) => throw new ArgumentOutOfRangeException(nameof(n), "n must be even."), "even"));

        ToolCallResult result = await Executor(new() { IncludeExceptionMessages = true }).ExecuteAsync(tool, Parsed("even", """{"n":3}"""), Context(), ["even"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: n must be even. (Parameter 'n')");
    }

    [Fact]
    public async Task ExecuteAllAsync_Parallel_RunsCallsConcurrently()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Tool a = Barrier("a", first, second.Task);
        Tool b = Barrier("b", second, first.Task);

        IReadOnlyList<ToolCallResult> results = await Executor(new() { Parallel = true })
            .ExecuteAllAsync([(a, Call("a", "1"), Context()), (b, Call("b", "2"), Context())], ["a", "b"], CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        results.Select(r => r.Text).ShouldBe(["a done", "b done"]);
        results.ShouldAllBe(r => r.Outcome == ToolCallOutcome.Ok);
    }

    [Fact]
    public async Task ExecuteAllAsync_Sequential_RunsOneCallAtATime()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Tool a = Barrier("a", first, second.Task, TimeSpan.FromMilliseconds(300));
        Tool b = Barrier("b", second, first.Task, TimeSpan.FromMilliseconds(300));

        IReadOnlyList<ToolCallResult> results = await Executor(new() { Parallel = false })
            .ExecuteAllAsync([(a, Call("a", "1"), Context()), (b, Call("b", "2"), Context())], ["a", "b"], CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        // The first call waited for a partner that could not start until it finished.
        results[0].Outcome.ShouldBe(ToolCallOutcome.Error);
        results[1].Text.ShouldBe("b done");
    }

    [Fact]
    public async Task ExecuteAllAsync_MaxDegreeOfParallelism_BoundsConcurrentCalls()
    {
        int running = 0;
        int peak = 0;
        Tool tool = Tool.Create("work", "Works.", ObjectSchema, async (_, context, cancellationToken) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(100, cancellationToken);
            Interlocked.Decrement(ref running);
            return context.CallId;
        });
        var calls = Enumerable.Range(0, 8).Select(i => ((Tool?)tool, Call("work", $"c{i}"), Context("work", $"c{i}"))).ToList();

        IReadOnlyList<ToolCallResult> results = await Executor(new() { MaxDegreeOfParallelism = 2 }).ExecuteAllAsync(calls, ["work"], CancellationToken.None);

        peak.ShouldBe(2);
        results.Select(r => r.Text).ShouldBe(Enumerable.Range(0, 8).Select(i => $"c{i}"));
    }

    [Fact]
    public async Task ExecuteAllAsync_CallsFinishingOutOfOrder_ComeBackInCallOrder()
    {
        Tool tool = Tool.Create("sleep", "Sleeps.", """{"type":"object","properties":{"ms":{"type":"integer"}},"required":["ms"]}""",
            async (arguments, _, cancellationToken) =>
            {
                int ms = arguments.GetProperty("ms").GetInt32();
                await Task.Delay(ms, cancellationToken);
                return $"slept {ms}";
            });
        (Tool?, FunctionCallContent, ToolContext)[] calls =
        [
            (tool, Parsed("sleep", """{"ms":300}""", "a"), Context()),
            (null, Call("missing", "b"), Context()),
            (tool, Parsed("sleep", """{"ms":1}""", "c"), Context()),
            (tool, Parsed("sleep", """{"ms":"x"}""", "d"), Context()),
        ];

        IReadOnlyList<ToolCallResult> results = await Executor().ExecuteAllAsync(calls, ["sleep"], CancellationToken.None);

        results.Select(r => r.Content.CallId).ShouldBe(["a", "b", "c", "d"]);
        results.Select(r => r.Outcome).ShouldBe([ToolCallOutcome.Ok, ToolCallOutcome.Error, ToolCallOutcome.Ok, ToolCallOutcome.Error]);
        results[0].Text.ShouldBe("slept 300");
        results[2].Text.ShouldBe("slept 1");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ExecuteAllAsync_CallerCancels_PropagatesOperationCanceledException(bool parallel)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Tool tool = Tool.Create("slow", "Slow.", ObjectSchema, async (_, _, cancellationToken) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        });
        using var cts = new CancellationTokenSource();

        Task<IReadOnlyList<ToolCallResult>> running = Executor(new() { Parallel = parallel })
            .ExecuteAllAsync([(tool, Call("slow", "1"), Context()), (tool, Call("slow", "2"), Context())], ["slow"], cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ToolExecutor(new() { MaxDegreeOfParallelism = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new ToolExecutor(new() { MaxResultCharacters = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new ToolExecutor(new() { DefaultTimeout = TimeSpan.Zero }));
        new ToolExecutor(new() { DefaultTimeout = Timeout.InfiniteTimeSpan }).Options.DefaultTimeout.ShouldBe(Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public void Denied_SaysWhoDeniedAndIsADeniedOutcome()
    {
        ToolCallResult result = ToolExecutor.Denied(Call("shell"), "the user");

        result.Outcome.ShouldBe(ToolCallOutcome.Denied);
        result.Text.ShouldStartWith("Error: this call was denied by the user.");
        result.Content.CallId.ShouldBe("call-1");
    }

    [Fact]
    public async Task ExecuteAsync_ResultHoldingARegisteredSecret_ReachesTheModelRedacted()
    {
        string secret = "sk-exec-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("EXEC_API_KEY", secret);

        ToolCallResult result = await Executor().ExecuteAsync(Returning($"OPENAI_API_KEY={secret}\n"), Call("r"), Context(), ["r"], CancellationToken.None);

        result.Text.ShouldBe("OPENAI_API_KEY=[redacted EXEC_API_KEY]\n");
    }

    [Fact]
    public async Task ExecuteAsync_JsonResultHoldingASecret_IsRedacted()
    {
        string secret = "sk-json-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("JSON_API_KEY", secret);

        ToolCallResult result = await Executor().ExecuteAsync(Returning(new Dictionary<string, object?> { ["key"] = secret }), Call("r"), Context(), ["r"], CancellationToken.None);

        result.Text.ShouldBe("""{"key":"[redacted JSON_API_KEY]"}""");
    }

    [Fact]
    public async Task ExecuteAsync_ErrorEchoingASecret_IsRedacted()
    {
        string secret = "sk-error-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("ERROR_API_KEY", secret);

        ToolCallResult result = await Executor().ExecuteAsync(Throwing(new ToolException($"bad key {secret}")), Call("boom"), Context(), ["boom"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Error);
        result.Text.ShouldBe("Error: bad key [redacted ERROR_API_KEY]");
    }

    [Fact]
    public async Task ExecuteAsync_SecretAcrossTheCap_IsRedactedBeforeCutting()
    {
        string secret = "sk-cap-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("CAP_API_KEY", secret);
        string text = new string('a', 90) + secret;

        ToolCallResult result = await Executor(new() { MaxResultCharacters = 100 }).ExecuteAsync(Returning(text), Call("r"), Context(), ["r"], CancellationToken.None);

        result.Text.ShouldNotContain(secret[..10]);
        result.Text.ShouldStartWith(new string('a', 90) + "[redacted");
    }

    [Fact]
    public void Denied_ReasonHoldingASecret_IsRedacted()
    {
        string secret = "sk-deny-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("DENY_API_KEY", secret);

        ToolExecutor.Denied(Call("shell"), $"the user ({secret})").Text.ShouldNotContain(secret);
    }

    [Fact]
    public void AllosException_MessageEchoingASecret_IsRedacted()
    {
        string secret = "sk-throw-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("THROW_API_KEY", secret);

        var exception = new ProviderAuthenticationException("openai", $"Incorrect API key provided: {secret}.");

        exception.Message.ShouldBe("Incorrect API key provided: [redacted THROW_API_KEY].");
        exception.ToString().ShouldNotContain(secret);
    }

    [Fact]
    public async Task ExecuteAsync_ResultWithAnImage_KeepsTheImageAndRedactsTheText()
    {
        string secret = "sk-image-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("IMAGE_API_KEY", secret);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4];
        Tool tool = Returning(new List<AIContent> { new TextContent($"token {secret}"), new DataContent(png, "image/png") });

        ToolCallResult result = await Executor().ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        result.Outcome.ShouldBe(ToolCallOutcome.Ok);
        IReadOnlyList<AIContent> parts = result.Content.Result.ShouldBeAssignableTo<IReadOnlyList<AIContent>>()!;
        parts.Count.ShouldBe(2);
        parts[0].ShouldBeOfType<TextContent>().Text.ShouldBe("token [redacted IMAGE_API_KEY]");
        DataContent image = parts[1].ShouldBeOfType<DataContent>();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(png);
        result.Text.ShouldBe("token [redacted IMAGE_API_KEY]\n[image: image/png, 8 bytes]");
    }

    [Fact]
    public async Task ExecuteAsync_ImageOverTheLimit_IsALineTellingTheModel()
    {
        Tool tool = Returning(new List<AIContent> { new TextContent("shot:"), new DataContent(new byte[2048], "image/png") });

        ToolCallResult result = await Executor(new() { MaxResultImageBytes = 1024 }).ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        // No image left: the result is plain text, as every result without pictures is.
        result.Content.Result.ShouldBe("shot:\n[image: image/png, 2 KB; not shown: larger than the 1 KB limit for images in tool results]");
    }

    [Fact]
    public async Task ExecuteAsync_TextPartsOfAnImageResult_ShareTheCap()
    {
        Tool tool = Returning(new List<AIContent> { new TextContent("aaaaaaaa"), new DataContent(new byte[4], "image/jpeg"), new TextContent("bbbbbbbb"), new TextContent("cccc") });

        ToolCallResult result = await Executor(new() { MaxResultCharacters = 10 }).ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        IReadOnlyList<AIContent> parts = result.Content.Result.ShouldBeAssignableTo<IReadOnlyList<AIContent>>()!;
        parts.Select(p => p is TextContent t ? t.Text : ((DataContent)p).MediaType).ShouldBe([
            "aaaaaaaa",
            "image/jpeg",
            "bb\n[... output truncated: 2 of 8 characters shown ...]",
            "\n[... output truncated: 0 of 4 characters shown ...]",
        ]);
    }

    [Fact]
    public async Task ExecuteAsync_ListOfTextOnly_StaysOneString()
    {
        Tool tool = Returning(new List<AIContent> { new TextContent("a"), new TextContent("b") });

        ToolCallResult result = await Executor().ExecuteAsync(tool, Call("r"), Context(), ["r"], CancellationToken.None);

        result.Content.Result.ShouldBe("ab");
    }

    private static ToolExecutor Executor(ToolExecutionOptions? options = null) => new(options ?? new ToolExecutionOptions());

    private static ToolContext Context(string tool = "t", string callId = "call-1") =>
        new() { CallId = callId, ToolName = tool, Workspace = new Workspace(Path.GetTempPath()) };

    private static FunctionCallContent Call(string name, string callId = "call-1") => new(callId, name, new Dictionary<string, object?>());

    private static FunctionCallContent Parsed(string name, string arguments, string callId = "call-1") => WireContent.ParseCall(callId, name, arguments);

    private static Tool Throwing(Exception exception) =>
        Tool.Create("boom", "Throws.", ObjectSchema, (_, _, _) => throw exception);

    private static Tool Returning(object? value) =>
        Tool.Create("r", "Returns.", ObjectSchema, (_, _, _) => ValueTask.FromResult(value));

    /// <summary>A tool that says it started, then waits (up to <paramref name="patience"/>) for its partner to start too.</summary>
    private static Tool Barrier(string name, TaskCompletionSource started, Task partnerStarted, TimeSpan? patience = null) =>
        Tool.Create(name, "Waits for its partner.", ObjectSchema, async (_, _, cancellationToken) =>
        {
            started.TrySetResult();
            await partnerStarted.WaitAsync(patience ?? TimeSpan.FromSeconds(10), cancellationToken);
            return $"{name} done";
        });

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class Unserializable
    {
        public int Value { get; } = 1;
    }
}
