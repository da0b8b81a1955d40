using System.Globalization;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Prompts;

public sealed class PromptLibraryTests : IDisposable
{
    private const string CodeReview = """
        ---
        name: code_review            # defaults to the file name
        version: 3
        labels: [production]
        description: Review a diff for bugs
        model: smart
        options: { temperature: 0.2, max_tokens: 800 }
        inputs:
          language: { type: string, required: true, description: Programming language }
          diff:     { type: string, required: true }
          strict:   { type: boolean, default: false }
        examples:
          - user: "Review this Python diff: ..."
            assistant: "1. ..."
        tests:
          - vars: { language: go, diff: "x := nil" }
            expect: { contains: ["nil"] }
        ---
        system:
        You review {{language}} code.{{#if strict}} Be strict.{{/if}}

        user:
        {{diff}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("allos-prompts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Render_TheIssuesExample_SendsSystemExamplesThenUserWithTheFrontMattersOptions()
    {
        PromptLibrary library = Load(("code_review.prompt.md", CodeReview));

        RenderedPrompt rendered = library.Get("code_review").Render(Vars(("language", "go"), ("diff", "x := nil")));

        rendered.Messages.Select(m => (m.Role.Value, m.Text)).ShouldBe(
        [
            ("system", "You review go code."),
            ("user", "Review this Python diff: ..."),
            ("assistant", "1. ..."),
            ("user", "x := nil"),
        ]);
        rendered.Options.ModelId.ShouldBe("smart");
        rendered.Options.Temperature.ShouldBe(0.2f);
        rendered.Options.MaxOutputTokens.ShouldBe(800);
        PromptChatOptions.ReadPrompt(rendered.Options).ShouldBe(("code_review", 3));
        rendered.Variables["strict"].ShouldBe(false);
    }

    [Fact]
    public void Render_BooleanFromText_TurnsTheConditionalOn()
    {
        PromptTemplate template = Load(("code_review.prompt.md", CodeReview)).Get("code_review@production");

        RenderedPrompt rendered = template.Render(Vars(("language", "go"), ("diff", "d"), ("strict", "true")));

        rendered.Messages[0].Text.ShouldBe("You review go code. Be strict.");
    }

    [Fact]
    public void Render_ValueHoldingTemplateSyntax_IsSentAsWrittenNotEvaluated()
    {
        PromptTemplate template = Load(("code_review.prompt.md", CodeReview)).Get("code_review");

        RenderedPrompt rendered = template.Render(Vars(("language", "{{diff}}"), ("diff", "{{#if strict}}boom{{/if}} {{{language}}} <b>&</b>")));

        rendered.Messages[0].Text.ShouldBe("You review {{diff}} code.");
        rendered.Messages[^1].Text.ShouldBe("{{#if strict}}boom{{/if}} {{{language}}} <b>&</b>");
    }

    [Fact]
    public void Render_ArraysAndObjects_LoopAndReadFields()
    {
        PromptLibrary library = Load(("list.prompt.md", """
            ---
            inputs:
              items: { type: array, required: true }
              owner: { type: object, required: true }
              count: { type: integer, default: 2 }
            ---
            user:
            {{#each items}}- {{this}} ({{@index}}) for {{../owner.name}}
            {{/each}}Count: {{count}}, {{json owner}}
            """));

        RenderedPrompt rendered = library.Get("list").Render(Vars(("items", "[\"a\", \"b\"]"), ("owner", new Dictionary<string, object?> { ["name"] = "Ann" })));

        rendered.Messages.Single().Text.ShouldBe("- a (0) for Ann\n- b (1) for Ann\nCount: 2, {\"name\":\"Ann\"}");
    }

    [Fact]
    public void Render_ScalarValues_PrintAsInTemplatesEverywhereWhateverTheCulture()
    {
        PromptLibrary library = Load(("s.prompt.md", "---\ninputs: { flag: boolean, ratio: number, n: integer }\n---\nuser:\n{{flag}} {{ratio}} {{n}} []\n"));
        CultureInfo culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");

            RenderedPrompt rendered = library.Get("s").Render(Vars(("flag", true), ("ratio", "0.5"), ("n", 12345)));

            rendered.Messages.Single().Text.ShouldBe("true 0.5 12345 []");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Render_CollectionDefaultsAndTestVarsFromYaml_KeepYamlsTypesInside()
    {
        PromptLibrary library = Load(("d.prompt.md", """
            ---
            inputs:
              limits: { type: object, default: { max: 3, strict: true, name: "007" } }
              ids: { type: array, default: [1, "2"] }
              code: { type: string, default: 007 }
            tests:
              - vars: { ids: [5], code: 010 }
                expect: { contains: x }
            examples:
              - user: |
                  Question
                assistant: |
                  Answer
            ---
            user:
            {{json limits}} {{json ids}} {{code}}
            """));
        PromptTemplate template = library.Get("d");

        RenderedPrompt rendered = template.Render();

        rendered.Messages[^1].Text.ShouldBe("{\"max\":3,\"strict\":true,\"name\":\"007\"} [1,\"2\"] 007");
        rendered.Messages[0].Text.ShouldBe("Question", "a YAML block's trailing newline is not part of the example");
        template.Render(template.Tests[0].Variables).Messages[^1].Text.ShouldBe("{\"max\":3,\"strict\":true,\"name\":\"007\"} [5] 010");
    }

    [Fact]
    public void Render_MissingRequiredInput_NamesIt()
    {
        PromptTemplate template = Load(("code_review.prompt.md", CodeReview)).Get("code_review");

        PromptException error = Should.Throw<PromptException>(() => template.Render(Vars(("language", "go"))));

        error.Input.ShouldBe("diff");
        error.Message.ShouldContain("input 'diff' of code_review@3 is required");
    }

    [Fact]
    public void Render_UnknownInput_NamesItAndSuggestsTheNearest()
    {
        PromptTemplate template = Load(("code_review.prompt.md", CodeReview)).Get("code_review");

        PromptException error = Should.Throw<PromptException>(() => template.Render(Vars(("language", "go"), ("diff", "d"), ("strcit", "true"))));

        error.Input.ShouldBe("strcit");
        error.Message.ShouldContain("Did you mean 'strict'?");
    }

    [Fact]
    public void Render_WrongType_NamesTheInputAndTheType()
    {
        PromptTemplate template = Load(("code_review.prompt.md", CodeReview)).Get("code_review");

        PromptException error = Should.Throw<PromptException>(() => template.Render(Vars(("language", "go"), ("diff", "d"), ("strict", "maybe"))));

        error.Input.ShouldBe("strict");
        error.Message.ShouldContain("must be a boolean (true or false), not 'maybe'");
    }

    [Fact]
    public void Load_UndeclaredVariable_FailsWithFileAndLine()
    {
        PromptException error = Should.Throw<PromptException>(() => Load(("a.prompt.md", "---\ninputs:\n  topic: string\n---\nsystem:\nBe brief.\nuser:\nWrite about {{topik}}.\n")));

        error.Line.ShouldBe(8);
        error.File!.ShouldEndWith("a.prompt.md");
        error.Message.ShouldContain("uses 'topik', which is not declared");
        error.Message.ShouldContain("did you mean 'topic'?");
    }

    [Fact]
    public void Load_RequiredInputNeverUsed_IsAWarningWithItsLine()
    {
        PromptLibrary library = Load(("a.prompt.md", "---\ninputs:\n  topic: { type: string, required: true }\n  tone: { required: true }\n---\nuser:\nWrite about {{topic}}.\n"));

        library.Warnings.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            w => w.Line.ShouldBe(4),
            w => w.Message.ShouldContain("input 'tone' is required but the template never uses it"));
    }

    [Fact]
    public void Load_UnknownFrontMatterKey_FailsWithLineAndSuggestion()
    {
        PromptException error = Should.Throw<PromptException>(() => Load(("a.prompt.md", "---\nname: a\nlables: [x]\n---\nuser:\nhi\n")));

        error.Line.ShouldBe(3);
        error.Message.ShouldContain("unknown key 'lables'");
        error.Message.ShouldContain("did you mean 'labels'?");
    }

    [Theory]
    [InlineData("---\n---\nHello\nuser:\nhi\n", 3, "text before the first role section")]
    [InlineData("---\n---\n\n", 3, "the body has no role section")]
    [InlineData("---\n---\nsystem:\n\nuser:\nhi\n", 3, "the 'system:' section is empty")]
    [InlineData("---\ninputs: { a: boolean }\n---\nuser:\nx\n{{#if a}}\nyes\n", 6, "'{{#if}}' is never closed")]
    [InlineData("---\ninputs: { a: boolean }\n---\nuser:\n{{#if a}}x{{/each}}\n", 5, "closes '{{#if}}' opened on line 5")]
    [InlineData("---\ninputs: { a: string }\n---\nuser:\n{{upper a}}\n", 5, "unknown helper 'upper'")]
    [InlineData("---\ninputs: { a: string }\n---\nuser:\n\n{{a\n", 6, "never closed with '}}'")]
    [InlineData("name: x\nuser:\nhi\n", 1, "starts with a '---' line")]
    [InlineData("---\nname: x\nuser:\nhi\n", 1, "never closed with a '---' line")]
    [InlineData("---\ninputs:\n  a: { type: strng }\n---\nuser:\n{{a}}\n", 3, "did you mean 'string'?")]
    [InlineData("---\ninputs:\n  n: { type: integer, default: many }\n---\nuser:\n{{n}}\n", 3, "the default of input 'n' must be an integer")]
    [InlineData("---\nversion: two\n---\nuser:\nhi\n", 2, "version must be a whole number")]
    [InlineData("---\nname: a: b\n---\nuser:\nhi\n", 2, "")]
    [InlineData("---\ninputs: { a: string }\ntests:\n  - vars: { b: 1 }\n    expect: { contains: x }\n---\nuser:\n{{a}}\n", 4, "has no input 'b'")]
    [InlineData("---\ntests:\n  - expect: { matches: \"(\" }\n---\nuser:\nhi\n", 3, "matches is not a valid regular expression")]
    [InlineData("---\ntests:\n  - expect: { contain: x }\n---\nuser:\nhi\n", 3, "did you mean 'contains'?")]
    public void Load_MalformedFile_FailsWithTheLineAndWhatIsWrong(string text, int line, string message)
    {
        PromptException error = Should.Throw<PromptException>(() => Load(("a.prompt.md", text)));

        error.Line.ShouldBe(line, error.Message);
        error.Message.ShouldContain($"a.prompt.md:{line}:");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Load_TwoFilesWithTheSameNameAndVersion_FailsNamingBoth()
    {
        PromptException error = Should.Throw<PromptException>(() => Load(
            ("one/review.prompt.md", "---\nversion: 2\n---\nuser:\nhi\n"),
            ("two/review.prompt.md", "---\nversion: 2\n---\nuser:\nhello\n")));

        error.Message.ShouldContain("prompt 'review' version 2 is also defined in");
        error.Message.ShouldContain(Path.Combine("one", "review.prompt.md") + ":2");
        error.File!.ShouldEndWith(Path.Combine("two", "review.prompt.md"));
        error.Line.ShouldBe(2);
    }

    [Fact]
    public void Load_LabelOnTwoVersions_FailsNamingTheOtherVersion()
    {
        PromptException error = Should.Throw<PromptException>(() => Load(
            ("r1.prompt.md", "---\nname: r\nversion: 1\nlabels: [production]\n---\nuser:\nhi\n"),
            ("r2.prompt.md", "---\nname: r\nversion: 2\nlabels:\n  - staging\n  - production\n---\nuser:\nhello\n")));

        error.Message.ShouldContain("label 'production' of prompt 'r' is already on version 1");
        error.Line.ShouldBe(6);
    }

    [Fact]
    public void Get_References_PickTheHighestVersionAVersionOrALabel()
    {
        PromptLibrary library = Load(
            ("r1.prompt.md", "---\nname: r\nversion: 1\nlabels: [production]\n---\nuser:\none\n"),
            ("r10.prompt.md", "---\nname: r\nversion: 10\n---\nuser:\nten\n"),
            ("r2.prompt.md", "---\nname: r\nversion: 2\n---\nuser:\ntwo\n"));

        library.Get("r").Version.ShouldBe(10);
        library.Get("r@2").Version.ShouldBe(2);
        library.Get("r@production").Version.ShouldBe(1);
        library.Versions("r").Select(t => t.Version).ShouldBe([1, 2, 10]);
        Should.Throw<PromptException>(() => library.Get("r@3")).Message.ShouldContain("has no version 3; versions: 1, 2, 10");
        Should.Throw<PromptException>(() => library.Get("r@prod")).Message.ShouldContain("labels: production (version 1)");
        Should.Throw<PromptException>(() => library.Get("q")).Message.ShouldContain("there is no prompt named 'q'");
        Should.Throw<PromptException>(() => library.Get("r@")).Message.ShouldContain("is not a prompt reference");
    }

    [Fact]
    public void Get_NameFromTheFileName_WhenTheFrontMatterHasNone()
    {
        PromptLibrary library = Load(("nested/deeper/summarize.prompt.md", "---\n---\nuser:\nSummarize.\n"), ("ignored.md", "not a prompt"));

        library.Names.ShouldBe(["summarize"]);
        library.Get("summarize").Version.ShouldBe(1);
    }

    [Fact]
    public void Check_EachExpectation_ReportsWhatFailed()
    {
        PromptLibrary library = Load(("t.prompt.md", """
            ---
            tests:
              - name: all
                expect:
                  contains: [alpha, beta]
                  not_contains: gamma
                  matches: "^\\{"
                  json_schema: { type: object, required: [answer], properties: { answer: { type: integer } } }
              - expect: { equals: "  exact  " }
            ---
            user:
            hi
            """));
        PromptTest all = library.Get("t").Tests[0];
        PromptTest exact = library.Get("t").Tests[1];

        all.Check("{\"answer\": 1, \"alpha\": \"beta\"}").ShouldBeEmpty();
        IReadOnlyList<string> failures = all.Check("gamma: {\"answer\": \"one\"}");
        failures.ShouldContain("expected the answer to contain \"alpha\"");
        failures.ShouldContain("expected the answer not to contain \"gamma\"");
        failures.ShouldContain("expected the answer to match /^\\{/");
        failures.ShouldContain(f => f.StartsWith("expected a JSON answer for json_schema", StringComparison.Ordinal));
        all.Check("```json\n{\"answer\": \"one\", \"alpha\": \"beta\"}\n```".Replace("```json\n", "", StringComparison.Ordinal).Replace("\n```", "", StringComparison.Ordinal))
            .ShouldHaveSingleItem().ShouldContain("does not match json_schema");
        exact.Check("exact\n").ShouldBeEmpty();
        exact.Check("exactly").ShouldHaveSingleItem().ShouldBe("expected the answer to equal \"exact\"");
    }

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    private PromptLibrary Load(params (string Path, string Text)[] files)
    {
        foreach ((string path, string text) in files)
        {
            string full = Path.Combine(_folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        return PromptLibrary.Load([_folder]);
    }
}
