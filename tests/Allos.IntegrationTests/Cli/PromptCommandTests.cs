using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos prompts …</c> and <c>allos run --prompt</c> as real processes, over prompt files in the workspace and the fake provider.</summary>
public sealed class PromptCommandTests : FakeServerCliTests
{
    private const string CodeReview = """
        ---
        name: code_review
        version: 3
        labels: [staging]
        description: Review a diff for bugs
        model: openai/gpt-4o-mini
        options: { temperature: 0.2, max_tokens: 800 }
        inputs:
          language: { type: string, required: true, description: Programming language }
          diff:     { type: string, required: true }
          strict:   { type: boolean, default: false }
        examples:
          - user: "Review this Python diff: x = None"
            assistant: "1. x is None."
        tests:
          - vars: { language: go, diff: "x := nil" }
            expect: { contains: ["nil"] }
          - name: quiet
            vars: { language: go, diff: "y := 1" }
            expect: { not_contains: ["bug"] }
        ---
        system:
        You review {{language}} code.{{#if strict}} Be strict.{{/if}}

        user:
        {{diff}}
        """;

    private const string CodeReviewV2 = """
        ---
        name: code_review
        version: 2
        labels: [production]
        description: Review a diff (older)
        inputs:
          diff: { type: string, required: true }
        ---
        user:
        Review: {{diff}}
        """;

    [Fact]
    public async Task List_TwoVersionsWithLabels_ShowsEachVersionWhichOneEachLabelNamesAndTheWarnings()
    {
        Write("code_review.prompt.md", CodeReview);
        Write("old/code_review_v2.prompt.md", CodeReviewV2);
        Write("unused.prompt.md", "---\ninputs:\n  topic: { type: string, required: true }\n---\nuser:\nWrite something.\n");

        CliResult json = await Cli.RunAsync("prompts", "list", "--json");
        CliResult text = await Cli.RunAsync("prompts", "list");

        json.ExitCode.ShouldBe(0, json.ToString());
        JsonElement review = json.Json().GetProperty("prompts").EnumerateArray().First(prompt => prompt.GetProperty("name").GetString() == "code_review");
        review.GetProperty("versions").EnumerateArray().Select(version => version.GetProperty("version").GetInt32()).ShouldBe([2, 3]);
        review.GetProperty("labels").GetProperty("production").GetInt32().ShouldBe(2);
        review.GetProperty("labels").GetProperty("staging").GetInt32().ShouldBe(3);
        review.GetProperty("description").GetString().ShouldBe("Review a diff for bugs");
        review.GetProperty("versions")[1].GetProperty("file").GetString().ShouldBe(Path.Combine(Cli.Workspace, "prompts", "code_review.prompt.md"));
        json.Stderr.ShouldContain(Path.Combine("prompts", "unused.prompt.md") + ":3: warning: input 'topic' is required but the template never uses it");

        text.ExitCode.ShouldBe(0, text.ToString());
        text.Stdout.ShouldContain("2, 3");
        text.Stdout.ShouldContain("production@2, staging@3");
        text.Stdout.ShouldContain("Review a diff for bugs");
        text.Stdout.ShouldContain(Path.Combine("prompts", "code_review.prompt.md"));
        text.Stderr.ShouldContain("warning: input 'topic'");
    }

    [Fact]
    public async Task List_PromptsFolderOfAllosYaml_IsReadEvenWhenAProviderKeyVariableIsUnset()
    {
        string shared = Directory.CreateDirectory(Path.Combine(Cli.Root, "shared")).FullName;
        File.WriteAllText(Path.Combine(shared, "greet.prompt.md"), "---\ndescription: from the shared folder\n---\nuser:\nSay hello.\n");
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), """
            prompts: [../shared]
            models:
              smart:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: ${ALLOS_TEST_UNSET_KEY}
            """);

        CliResult result = await Cli.RunAsync("prompts", "list", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement greet = result.Json().GetProperty("prompts").EnumerateArray().ShouldHaveSingleItem();
        greet.GetProperty("name").GetString().ShouldBe("greet");
        greet.GetProperty("versions")[0].GetProperty("file").GetString().ShouldBe(Path.Combine(shared, "greet.prompt.md"));
    }

    [Fact]
    public async Task Show_ALabel_PrintsTheVersionItNamesWithItsFileInputsExamplesTestsAndBody()
    {
        Write("code_review.prompt.md", CodeReview);
        Write("code_review_v2.prompt.md", CodeReviewV2);

        CliResult result = await Cli.RunAsync("prompts", "show", "code_review@staging");

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] lines = result.Stdout.ReplaceLineEndings("\n").Split('\n');
        lines[0].ShouldBe($"code_review@3  {Path.Combine("prompts", "code_review.prompt.md")}");
        lines.ShouldContain("labels:      staging");
        lines.ShouldContain("model:       openai/gpt-4o-mini");
        lines.ShouldContain("options:     temperature=0.2, max_tokens=800");
        lines.ShouldContain("  language  string   required  Programming language");
        lines.ShouldContain("  strict    boolean  default false");
        lines.ShouldContain("  user: Review this Python diff: x = None");
        lines.ShouldContain("tests:       2");
        result.Stdout.ShouldContain("system:\nYou review {{language}} code.{{#if strict}} Be strict.{{/if}}\n\nuser:\n{{diff}}");
    }

    [Fact]
    public async Task Render_Json_IsExactlyOneObjectWithDefaultsExamplesAndOptions()
    {
        Write("code_review.prompt.md", CodeReview);

        CliResult result = await Cli.RunAsync("prompts", "render", "code_review", "--var", "language=go", "--var", "diff=x := nil", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("""
            {"name":"code_review","version":3,"model":"openai/gpt-4o-mini","options":{"temperature":0.2,"max_tokens":800},"messages":[{"role":"system","content":"You review go code."},{"role":"user","content":"Review this Python diff: x = None"},{"role":"assistant","content":"1. x is None."},{"role":"user","content":"x := nil"}]}
            """);
        Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_VarFileAndVar_KeepsJsonTypesAndTheFlagWinsOverTheFile()
    {
        Write("code_review.prompt.md", CodeReview);
        File.WriteAllText(Path.Combine(Cli.Workspace, "vars.json"), """{ "language": "python", "diff": "from the file", "strict": true }""");

        CliResult result = await Cli.RunAsync("prompts", "render", "code_review@3", "--var-file", "vars.json", "--var", "language=go");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ReplaceLineEndings("\n").ShouldBe("""
            system:
            You review go code. Be strict.

            user:
            Review this Python diff: x = None

            assistant:
            1. x is None.

            user:
            from the file

            """);
    }

    [Theory]
    [InlineData("undeclared variable", "---\ninputs:\n  topic: { type: string }\n---\nuser:\nWrite about {{topic}} and {{tone}}.\n", null, "a.prompt.md:6:", "'tone'")]
    [InlineData("unknown key", "---\ndescription: x\ntemperature: 0.2\n---\nuser:\nhi\n", null, "a.prompt.md:3:", "unknown key 'temperature'")]
    [InlineData("malformed section", "---\ndescription: x\n---\nThis line has no role.\nuser:\nhi\n", null, "a.prompt.md:4:", "role section")]
    [InlineData("duplicate version", "---\nname: a\nversion: 2\n---\nuser:\nhi\n", "---\nname: a\nversion: 2\n---\nuser:\nhello\n", "b.prompt.md:3:", "also defined in prompts/a.prompt.md:3")]
    [InlineData("label on two versions", "---\nname: a\nversion: 1\nlabels: [production]\n---\nuser:\nhi\n", "---\nname: a\nversion: 2\nlabels: [production]\n---\nuser:\nhello\n", "b.prompt.md:4:", "already on version 1")]
    public async Task List_MalformedPromptFile_ExitsThreeWithTheFileAndLine(string problem, string first, string? second, string location, string message)
    {
        Write("a.prompt.md", first);
        if (second is not null)
        {
            Write("b.prompt.md", second);
        }

        CliResult result = await Cli.RunAsync("prompts", "list");

        result.ExitCode.ShouldBe(3, $"{problem}: {result}");
        result.Stderr.ShouldContain($"error: {Path.Combine("prompts", location)}", customMessage: problem);
        result.Stderr.ShouldContain(message.Replace('/', Path.DirectorySeparatorChar), customMessage: problem);
        result.Stderr.ShouldContain("hint: fix the prompt file at that line");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("missing required", new[] { "--var", "language=go" }, "input 'diff' of code_review@3 is required")]
    [InlineData("wrong type", new[] { "--var", "language=go", "--var", "diff=x", "--var", "strict=maybe" }, "input 'strict' of code_review@3 must be a boolean")]
    [InlineData("unknown input", new[] { "--var", "language=go", "--var", "diff=x", "--var", "strikt=true" }, "has no input 'strikt'")]
    public async Task Render_BadInputs_ExitsThreeNamingTheInput(string problem, string[] vars, string message)
    {
        Write("code_review.prompt.md", CodeReview);

        CliResult result = await Cli.RunAsync(["prompts", "render", "code_review", .. vars]);

        result.ExitCode.ShouldBe(3, $"{problem}: {result}");
        result.Stderr.ShouldContain(message, customMessage: problem);
        result.Stderr.ShouldContain("hint: `allos prompts show REF` lists the prompt's inputs");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunPrompt_WithATask_SendsTheSystemPartAsInstructionsTheExamplesTheUserTurnThenTheTaskWithTheOptions()
    {
        Write("code_review.prompt.md", CodeReview);
        Server.Enqueue(FakeTurn.Text("1. nil dereference.").WithUsage(20, 4));

        CliResult result = await Cli.RunAsync("run", "--prompt", "code_review@staging", "--var", "language=go", "--var", "diff=x := nil", "--tools", "none", "--json", "Focus on nil.");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json().GetProperty("status").GetString().ShouldBe("completed");
        result.Json().GetProperty("text").GetString().ShouldBe("1. nil dereference.");
        JsonElement request = Server.Requests.ShouldHaveSingleItem().Json;
        request.GetProperty("model").GetString().ShouldBe("gpt-4o-mini", "the prompt's model, without -m");
        Messages(request).ShouldBe(
        [
            ("system", "You review go code."),
            ("user", "Review this Python diff: x = None"),
            ("assistant", "1. x is None."),
            ("user", "x := nil"),
            ("user", "Focus on nil."),
        ]);
        request.GetProperty("temperature").GetDouble().ShouldBe(0.2, 1e-6);
        (request.TryGetProperty("max_completion_tokens", out JsonElement max) ? max : request.GetProperty("max_tokens")).GetInt32().ShouldBe(800);
        Server.Requests[0].Body.ShouldNotContain("allos.prompt", customMessage: "the prompt tags are for recording, not for the provider");
    }

    [Fact]
    public async Task RunPrompt_WithoutATask_SendsTheLastUserTurnAsTheInputOnTheModelOfDashM()
    {
        Write("code_review.prompt.md", CodeReview);
        Server.Enqueue(FakeTurn.Text("No bugs found."));

        CliResult result = await Cli.RunAsync("run", "--prompt", "code_review", "--var", "language=go", "--var", "diff=y := 1", "--var", "strict=yes", "-m", "openai/gpt-4.1-mini", "--tools", "none");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("No bugs found.");
        JsonElement request = Server.Requests.ShouldHaveSingleItem().Json;
        request.GetProperty("model").GetString().ShouldBe("gpt-4.1-mini");
        Messages(request).ShouldBe(
        [
            ("system", "You review go code. Be strict."),
            ("user", "Review this Python diff: x = None"),
            ("assistant", "1. x is None."),
            ("user", "y := 1"),
        ]);
    }

    [Fact]
    public async Task RunPrompt_InASessionFile_KeepsThePromptsTurnsSoTheNextRunContinuesFromThem()
    {
        Write("code_review.prompt.md", CodeReview);
        Server.Enqueue(FakeTurn.Text("1. nil dereference."), FakeTurn.Text("Add a nil check."));

        CliResult first = await Cli.RunAsync("run", "--prompt", "code_review", "--var", "language=go", "--var", "diff=x := nil", "--tools", "none", "-s", "review.json");
        CliResult next = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "none", "-s", "review.json", "How do I fix it?");

        first.ExitCode.ShouldBe(0, first.ToString());
        next.ExitCode.ShouldBe(0, next.ToString());
        Messages(Server.Requests[1].Json).Skip(1).ShouldBe(
        [
            ("user", "Review this Python diff: x = None"),
            ("assistant", "1. x is None."),
            ("user", "x := nil"),
            ("assistant", "1. nil dereference."),
            ("user", "How do I fix it?"),
        ]);
    }

    [Fact]
    public async Task RunPrompt_TemplateErrors_ExitThreeBeforeAnyModelCall()
    {
        Write("code_review.prompt.md", CodeReview);
        Server.FallbackTurn = FakeTurn.Text("should not be asked");

        CliResult render = await Cli.RunAsync("run", "--prompt", "code_review", "--var", "language=go", "review it");
        Write("broken.prompt.md", "---\nname: broken\nversion: one\n---\nuser:\nhi\n");
        CliResult load = await Cli.RunAsync("run", "--prompt", "code_review", "--var", "language=go", "--var", "diff=x", "review it");

        render.ExitCode.ShouldBe(3, render.ToString());
        render.Stderr.ShouldContain("input 'diff' of code_review@3 is required");
        load.ExitCode.ShouldBe(3, load.ToString());
        load.Stderr.ShouldContain($"{Path.Combine("prompts", "broken.prompt.md")}:3:");
        Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_WithoutPrompt_IsNotStoppedByAMalformedPromptFileAndTakesRunVariables()
    {
        Write("broken.prompt.md", "---\nversion: one\n---\nuser:\nhi\n");
        Server.Enqueue(FakeTurn.Text("hello"));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "none", "--var", "ticket=ABC-1", "say hello");
        CliResult usage = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--var", "ticket", "say hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("hello");
        usage.ExitCode.ShouldBe(2, usage.ToString());
        usage.Stderr.ShouldContain("--var takes NAME=VALUE");
    }

    [Fact]
    public async Task Test_EveryExpectationMet_ExitsZeroWithOneJsonResultPerTest()
    {
        Write("code_review.prompt.md", CodeReview);
        Write("plain.prompt.md", "---\ndescription: no tests here\n---\nuser:\nhi\n");
        Server.Enqueue(FakeTurn.Text("1. x is nil here."), FakeTurn.Text("Nothing wrong."));

        CliResult result = await Cli.RunAsync("prompts", "test", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement json = result.Json();
        json.GetProperty("passed").GetInt32().ShouldBe(2);
        json.GetProperty("failed").GetInt32().ShouldBe(0);
        JsonElement[] tests = [.. json.GetProperty("tests").EnumerateArray()];
        tests.Select(test => (test.GetProperty("prompt").GetString(), test.GetProperty("version").GetInt32(), test.GetProperty("test").GetInt32(), test.GetProperty("passed").GetBoolean()))
            .ShouldBe([("code_review", 3, 1, true), ("code_review", 3, 2, true)]);
        tests[1].GetProperty("name").GetString().ShouldBe("quiet");
        tests[0].GetProperty("answer").GetString().ShouldBe("1. x is nil here.");
        json.GetProperty("untested").EnumerateArray().Select(item => item.GetString()).ShouldBe(["plain@1"]);
        Messages(Server.Requests[0].Json).Last().ShouldBe(("user", "x := nil"), "each test's vars are rendered");
        Server.Requests[0].Json.GetProperty("model").GetString().ShouldBe("gpt-4o-mini");
    }

    [Fact]
    public async Task Test_AFailedExpectationAndAProviderError_ExitOneReportingEachTestAndRunningTheRest()
    {
        Write("code_review.prompt.md", CodeReview);
        Write("greet.prompt.md", "---\ntests:\n  - expect: { equals: hello }\n---\nuser:\nSay hello.\n");
        Server.Enqueue(FakeTurn.Text("Looks fine."), FakeTurn.Text("There is a bug."), FakeTurn.ProviderError(400, "bad request from the provider"));

        CliResult result = await Cli.RunAsync("prompts", "test", "-m", "openai/gpt-4.1-mini");

        result.ExitCode.ShouldBe(1, result.ToString());
        string[] lines = result.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        lines[0].ShouldBe("✗ code_review@3 #1: expected the answer to contain \"nil\"");
        lines[1].ShouldBe("✗ code_review@3 #2 (quiet): expected the answer not to contain \"bug\"");
        lines[2].ShouldStartWith("✗ greet@1 #1: the model call failed: ");
        lines[2].ShouldContain("bad request from the provider");
        lines[3].ShouldBe("3 tests: 0 passed, 3 failed");
        Server.Requests.Count.ShouldBe(3);
        Server.Requests.ShouldAllBe(request => request.Json.GetProperty("model").GetString() == "gpt-4.1-mini");
    }

    [Fact]
    public async Task New_WritesASkeletonThatLoadsCleanly_AndRefusesToOverwriteIt()
    {
        CliResult created = await Cli.RunAsync("prompts", "new", "summarize");
        CliResult rendered = await Cli.RunAsync("prompts", "render", "summarize", "--var", "text=The meeting moved.");
        CliResult again = await Cli.RunAsync("prompts", "new", "summarize");

        created.ExitCode.ShouldBe(0, created.ToString());
        string path = Path.Combine(Cli.Workspace, "prompts", "summarize.prompt.md");
        string written = File.ReadAllText(path);
        written.ShouldContain("name: summarize");
        rendered.ExitCode.ShouldBe(0, rendered.ToString());
        rendered.Stderr.ShouldNotContain("warning");
        rendered.Stdout.ShouldContain("user:\nThe meeting moved.");
        again.ExitCode.ShouldBe(1, again.ToString());
        again.Stderr.ShouldContain("already exists; edit it");
        File.ReadAllText(path).ShouldBe(written);
    }

    private void Write(string relative, string text)
    {
        string path = Path.Combine(Cli.Workspace, "prompts", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static (string Role, string Content)[] Messages(JsonElement request) =>
        [.. request.GetProperty("messages").EnumerateArray().Select(message => (message.GetProperty("role").GetString()!, message.GetProperty("content").ValueKind == JsonValueKind.String
            ? message.GetProperty("content").GetString()!
            : string.Concat(message.GetProperty("content").EnumerateArray().Select(part => part.GetProperty("text").GetString()))))];
}
