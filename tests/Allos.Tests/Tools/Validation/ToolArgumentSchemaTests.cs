using System.ComponentModel;
using System.Text.Json;
using Allos.Tools;
using Allos.Tools.Validation;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Tools.Validation;

public sealed class ToolArgumentSchemaTests
{
    private const string FileSchema = """
        {"type":"object","properties":{"path":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":100},
         "mode":{"type":"string","enum":["a","b"]}},"required":["path"]}
        """;

    [Theory]
    [InlineData("""{"path":"a.txt"}""")]
    [InlineData("""{"path":"a.txt","limit":1,"mode":"b"}""")]
    [InlineData("""{"path":"a.txt","limit":100}""")]
    [InlineData("""{"path":"a.txt","limit":5.0}""")]
    [InlineData("""{"path":"a.txt","limit":5e1}""")]
    [InlineData("""{"path":"a.txt","unknown":true}""")]
    public void Validate_ValidArguments_ReturnsNoErrors(string arguments) =>
        Validate(FileSchema, arguments).ShouldBeEmpty();

    [Theory]
    [InlineData("""{}""", "$.path is required")]
    [InlineData("""{"path":3}""", "$.path must be a string")]
    [InlineData("""{"path":null}""", "$.path must be a string")]
    [InlineData("""{"path":"a","limit":"10"}""", "$.limit must be an integer")]
    [InlineData("""{"path":"a","limit":2.5}""", "$.limit must be an integer")]
    [InlineData("""{"path":"a","limit":0}""", "$.limit must be >= 1")]
    [InlineData("""{"path":"a","limit":101}""", "$.limit must be <= 100")]
    [InlineData("""{"path":"a","mode":"c"}""", "$.mode must be one of \"a\", \"b\"")]
    public void Validate_InvalidArguments_ReportsThePathAndTheRule(string arguments, string expected) =>
        Validate(FileSchema, arguments).ShouldBe([expected]);

    [Fact]
    public void Validate_SeveralProblems_ReportsEachOne()
    {
        IReadOnlyList<string> errors = Validate(FileSchema, """{"limit":true,"mode":"z"}""");

        errors.ShouldBe(["$.path is required", "$.limit must be an integer", "$.mode must be one of \"a\", \"b\""], ignoreOrder: true);
    }

    [Theory]
    [InlineData("string", "\"x\"", true)]
    [InlineData("string", "1", false)]
    [InlineData("integer", "-7", true)]
    [InlineData("integer", "1.0", true)]
    [InlineData("integer", "1.5", false)]
    [InlineData("integer", "12345678901234567890123", true)]
    [InlineData("number", "1.5", true)]
    [InlineData("number", "\"1.5\"", false)]
    [InlineData("boolean", "false", true)]
    [InlineData("boolean", "0", false)]
    [InlineData("object", "{}", true)]
    [InlineData("object", "[]", false)]
    [InlineData("array", "[]", true)]
    [InlineData("array", "{}", false)]
    [InlineData("null", "null", true)]
    [InlineData("null", "0", false)]
    public void Validate_Types_MatchJsonKinds(string type, string value, bool valid)
    {
        IReadOnlyList<string> errors = Validate("{\"properties\":{\"v\":{\"type\":\"" + type + "\"}}}", $$"""{"v":{{value}}}""");

        (errors.Count == 0).ShouldBe(valid, string.Join("; ", errors));
    }

    [Theory]
    [InlineData("\"x\"", true)]
    [InlineData("null", true)]
    [InlineData("3", false)]
    public void Validate_TypeArray_AcceptsAnyListedType(string value, bool valid)
    {
        IReadOnlyList<string> errors = Validate("""{"properties":{"v":{"type":["string","null"]}}}""", $$"""{"v":{{value}}}""");

        if (valid)
        {
            errors.ShouldBeEmpty();
        }
        else
        {
            errors.ShouldBe(["$.v must be a string or null"]);
        }
    }

    [Fact]
    public void Validate_Nullable_AcceptsNullAndNamesItInTheError()
    {
        const string schema = """{"properties":{"v":{"type":"integer","nullable":true}}}""";

        Validate(schema, """{"v":null}""").ShouldBeEmpty();
        Validate(schema, """{"v":"x"}""").ShouldBe(["$.v must be an integer or null"]);
    }

    [Fact]
    public void Validate_AdditionalPropertiesFalse_RejectsUnknownNames()
    {
        const string schema = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""";

        Validate(schema, """{"a":"x","extra":1,"odd key":2}""").ShouldBe(["$.extra is not allowed", "$['odd key'] is not allowed"]);
    }

    [Fact]
    public void Validate_AdditionalPropertiesSchema_AppliesToUnknownNames()
    {
        const string schema = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}""";

        Validate(schema, """{"a":"x","n":1}""").ShouldBeEmpty();
        Validate(schema, """{"a":"x","n":"one"}""").ShouldBe(["$.n must be an integer"]);
    }

    [Fact]
    public void Validate_Const_RequiresTheExactValue()
    {
        const string schema = """{"properties":{"kind":{"const":"file"},"opts":{"const":{"x":[1,2]}}}}""";

        Validate(schema, """{"kind":"file","opts":{"x":[1,2]}}""").ShouldBeEmpty();
        Validate(schema, """{"kind":"dir"}""").ShouldBe(["$.kind must be \"file\""]);
        Validate(schema, """{"opts":{"x":[2,1]}}""").ShouldBe(["$.opts must be {\"x\":[1,2]}"]);
    }

    [Theory]
    [InlineData("""{"exclusiveMinimum":0}""", "0", "$.v must be > 0")]
    [InlineData("""{"exclusiveMaximum":10}""", "10", "$.v must be < 10")]
    [InlineData("""{"minimum":0,"exclusiveMinimum":true}""", "0", "$.v must be > 0")]
    [InlineData("""{"maximum":10,"exclusiveMaximum":true}""", "10", "$.v must be < 10")]
    [InlineData("""{"minimum":0.5}""", "0.25", "$.v must be >= 0.5")]
    [InlineData("""{"maximum":-1}""", "0", "$.v must be <= -1")]
    public void Validate_NumericBounds_AreChecked(string bounds, string value, string expected)
    {
        string schema = "{\"properties\":{\"v\":" + bounds + "}}";

        Validate(schema, $$"""{"v":{{value}}}""").ShouldBe([expected]);
    }

    [Fact]
    public void Validate_ExclusiveBounds_AcceptValuesInside() =>
        Validate("""{"properties":{"v":{"exclusiveMinimum":0,"exclusiveMaximum":10}}}""", """{"v":9.99}""").ShouldBeEmpty();

    [Fact]
    public void Validate_StringLengths_CountCharactersNotUtf16Units()
    {
        const string schema = """{"properties":{"s":{"type":"string","minLength":2,"maxLength":3}}}""";

        Validate(schema, """{"s":"😀😀"}""").ShouldBeEmpty();
        Validate(schema, """{"s":"😀"}""").ShouldBe(["$.s must be at least 2 characters long"]);
        Validate(schema, """{"s":"abcd"}""").ShouldBe(["$.s must be at most 3 characters long"]);
    }

    [Fact]
    public void Validate_Pattern_IsARegexSearch()
    {
        const string schema = """{"properties":{"id":{"type":"string","pattern":"^[a-z]+-\\d+$"}}}""";

        Validate(schema, """{"id":"abc-12"}""").ShouldBeEmpty();
        Validate(schema, """{"id":"ABC-12"}""").ShouldBe(["$.id must match the pattern \"^[a-z]+-\\\\d+$\""]);
    }

    [Fact]
    public void Build_InvalidPatternInSchema_ThrowsNamingTheToolAndThePattern()
    {
        ArgumentException error = Should.Throw<ArgumentException>(() => Build("""{"properties":{"id":{"type":"string","pattern":"(unclosed"}}}"""));

        error.Message.ShouldContain("tool 'probe'");
        error.Message.ShouldContain("\"(unclosed\" is not a valid regular expression");
        error.ParamName.ShouldBe("schema");
    }

    [Fact]
    public void Validate_CatastrophicPattern_TimesOutIntoAnErrorInsteadOfHanging()
    {
        string input = new string('a', 5000) + "!";
        string arguments = JsonSerializer.Serialize(new Dictionary<string, object?> { ["s"] = input }, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>)));

        IReadOnlyList<string> errors = Validate("""{"properties":{"s":{"type":"string","pattern":"^(a|aa)+$"}}}""", arguments);

        errors.Count.ShouldBe(1);
        errors[0].ShouldStartWith("$.s could not be checked against the pattern");
    }

    [Fact]
    public void Validate_TypeSpecificKeywords_IgnoreOtherKinds() =>
        Validate("""{"properties":{"v":{"minimum":5,"minLength":5,"minItems":5,"required":["x"]}}}""", """{"v":true}""").ShouldBeEmpty();

    [Fact]
    public void Validate_NestedArraysAndObjects_ReportFullPaths()
    {
        const string schema = """
            {"type":"object","properties":{"items":{"type":"array","minItems":1,"maxItems":3,
              "items":{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}},"required":["name"]}}},
             "required":["items"]}
            """;

        Validate(schema, """{"items":[{"name":"a"},{"name":"b","tags":["x"]},{"name":"c"}]}""").ShouldBeEmpty();
        Validate(schema, """{"items":[{"name":"a"},{"tags":["x",1]},{"name":5}]}""")
            .ShouldBe(["$.items[1].name is required", "$.items[1].tags[1] must be a string", "$.items[2].name must be a string"]);
        Validate(schema, """{"items":[]}""").ShouldBe(["$.items must have at least 1 item"]);
        Validate(schema, """{"items":[{"name":"a"},{"name":"a"},{"name":"a"},{"name":"a"}]}""").ShouldBe(["$.items must have at most 3 items"]);
    }

    [Fact]
    public void Validate_TupleItems_CheckEachPosition() =>
        Validate("""{"properties":{"p":{"type":"array","items":[{"type":"number"},{"type":"string"}]}}}""", """{"p":[1,2,3]}""")
            .ShouldBe(["$.p[1] must be a string"]);

    [Fact]
    public void Validate_AnyOfTypes_SummarizesTheAllowedTypes()
    {
        const string schema = """{"properties":{"v":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}""";

        Validate(schema, """{"v":"x"}""").ShouldBeEmpty();
        Validate(schema, """{"v":4}""").ShouldBeEmpty();
        Validate(schema, """{"v":true}""").ShouldBe(["$.v must be a string or an integer"]);
    }

    [Fact]
    public void Validate_OneOfWithStructuredBranches_IsValidWhenAnyBranchIsAndSummarizesOtherwise()
    {
        const string schema = """
            {"properties":{"target":{"oneOf":[
              {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},
              {"type":"object","properties":{"url":{"type":"string"}},"required":["url"]}]}}}
            """;

        Validate(schema, """{"target":{"url":"http://x"}}""").ShouldBeEmpty();
        Validate(schema, """{"target":{"path":"a","url":"b"}}""").ShouldBeEmpty();
        IReadOnlyList<string> errors = Validate(schema, """{"target":{}}""");

        errors.ShouldBe(["$.target does not match any of the allowed forms: $.target.path is required; or $.target.url is required"]);
    }

    [Fact]
    public void Validate_AllOf_AppliesEveryBranch() =>
        Validate("""{"properties":{"n":{"allOf":[{"type":"integer"},{"minimum":3}]}}}""", """{"n":2}""").ShouldBe(["$.n must be >= 3"]);

    [Theory]
    [InlineData("$defs")]
    [InlineData("definitions")]
    public void Validate_LocalRef_FollowsDefinitions(string section)
    {
        string schema = """
            {"type":"object","properties":{"point":{"$ref":"#/SECTION/point"}},
             "SECTION":{"point":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}}}
            """.Replace("SECTION", section, StringComparison.Ordinal);

        Validate(schema, """{"point":{"x":1}}""").ShouldBeEmpty();
        Validate(schema, """{"point":{"x":"1"}}""").ShouldBe(["$.point.x must be a number"]);
    }

    [Fact]
    public void Validate_RecursiveRef_ValidatesTreesWithoutEndlessRecursion()
    {
        const string schema = """
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},
             "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name"]}}}
            """;

        Validate(schema, """{"name":"root","children":[{"name":"a","children":[{"name":"b"}]}]}""").ShouldBeEmpty();
        Validate(schema, """{"name":"root","children":[{"name":"a","children":[{}]}]}""").ShouldBe(["$.children[0].children[0].name is required"]);
    }

    [Fact]
    public void Build_SelfReferencingSchema_ThrowsNamingTheTool() =>
        Should.Throw<ArgumentException>(() => Build("""{"$ref":"#/$defs/loop","$defs":{"loop":{"$ref":"#/$defs/loop"}}}"""))
            .Message.ShouldContain("tool 'probe'");

    [Fact]
    public void Validate_UnresolvableRefAndUnknownKeywords_AreIgnored() =>
        Validate("""{"type":"object","properties":{"a":{"$ref":"https://example.com/s.json","format":"uuid","x-custom":1}}}""", """{"a":"not-a-uuid"}""")
            .ShouldBeEmpty();

    [Fact]
    public void Validate_BooleanSchemas_AllowOrForbid()
    {
        Validate("""{"properties":{"a":true,"b":false}}""", """{"a":[1]}""").ShouldBeEmpty();
        Validate("""{"properties":{"a":true,"b":false}}""", """{"b":1}""").ShouldBe(["$.b is not allowed"]);
    }

    [Fact]
    public void Validate_ManyErrors_AreCapped()
    {
        string arguments = "{\"v\":[" + string.Join(",", Enumerable.Repeat("\"x\"", 500)) + "]}";

        Validate("""{"properties":{"v":{"items":{"type":"integer"}}}}""", arguments).Count.ShouldBe(20);
    }

    [Fact]
    public void Validate_AIFunctionFactorySchema_RequiresOnlyParametersWithoutDefaults()
    {
        AIFunction function = AIFunctionFactory.Create(Search, "search");
        JsonElement schema = function.JsonSchema;

        Validate(schema, """{"query":"cats"}""").ShouldBeEmpty();
        Validate(schema, """{"query":"cats","limit":5,"exact":true,"site":null,"weight":0.5}""").ShouldBeEmpty();
        Validate(schema, """{"limit":5}""").ShouldBe(["$.query is required"]);
        Validate(schema, """{"query":"cats","limit":5.5}""").ShouldBe(["$.limit must be an integer"]);
        Validate(schema, """{"query":"cats","site":7}""").ShouldBe(["$.site must be a string or null"]);
        Validate(schema, """{"query":"cats","exact":"yes"}""").ShouldBe(["$.exact must be a boolean"]);
        Validate(schema, """{"query":"cats","weight":"heavy"}""").ShouldBe(["$.weight must be a number"]);
    }

    [Fact]
    public void Validate_AIFunctionFactorySchemaWithoutParameters_AcceptsAnEmptyObject() =>
        Validate(AIFunctionFactory.Create(() => "now", "clock").JsonSchema, "{}").ShouldBeEmpty();

    [Fact]
    public void Validate_Draft07Schema_UsesThatDraftsTupleItemsAndKeepsFormatAnAnnotation()
    {
        const string schema = """
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
             "properties":{"p":{"type":"array","items":[{"type":"number"}],"additionalItems":{"type":"string"}},"mail":{"type":"string","format":"email"}}}
            """;

        Validate(schema, """{"p":[1,"x"],"mail":"not an address"}""").ShouldBeEmpty();
        Validate(schema, """{"p":["x",2]}""").ShouldBe(["$.p[0] must be a number", "$.p[1] must be a string"]);
    }

    [Fact]
    public void Validate_Draft04Schema_ReadsBooleanExclusiveBounds() =>
        Validate("""{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"v":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":5,"exclusiveMaximum":false}}}""",
            """{"v":0}""").ShouldBe(["$.v must be > 0"]);

    [Theory]
    [InlineData("https://json-schema.org/draft/2020-12/schema")]
    [InlineData("https://json-schema.org/draft/2019-09/schema")]
    [InlineData("http://json-schema.org/draft-06/schema#")]
    public void Validate_SupportedDollarSchema_ChecksTheArguments(string draft) =>
        Validate("{\"$schema\":\"" + draft + "\",\"properties\":{\"v\":{\"type\":\"integer\"}}}", """{"v":"1"}""").ShouldBe(["$.v must be an integer"]);

    [Fact]
    public void Build_UnknownDollarSchema_ThrowsSayingWhatToChange()
    {
        ArgumentException error = Should.Throw<ArgumentException>(() => Build("""{"$schema":"https://example.com/my-dialect","type":"object"}"""));

        error.Message.ShouldContain("tool 'probe'");
        error.Message.ShouldContain("https://example.com/my-dialect");
        error.Message.ShouldContain("remove \"$schema\"");
    }

    [Fact]
    public void Build_MalformedKeyword_ThrowsNamingTheTool() =>
        Should.Throw<ArgumentException>(() => Build("""{"properties":{"v":{"minimum":"one"}}}""")).Message.ShouldContain("tool 'probe'");

    [Fact]
    public void Validate_NullableWithEnum_AcceptsNullAndListsIt()
    {
        const string schema = """{"properties":{"mode":{"type":"string","enum":["a","b"],"nullable":true}}}""";

        Validate(schema, """{"mode":null}""").ShouldBeEmpty();
        Validate(schema, """{"mode":"c"}""").ShouldBe(["$.mode must be one of \"a\", \"b\", null"]);
    }

    [Fact]
    public void Validate_SchemaValuesThatLookLikeKeywords_AreNotRewritten()
    {
        const string schema = """{"properties":{"v":{"const":{"nullable":true,"oneOf":[1],"items":[2]}}}}""";

        Validate(schema, """{"v":{"nullable":true,"oneOf":[1],"items":[2]}}""").ShouldBeEmpty();
        Validate(schema, """{"v":{"anyOf":[1]}}""").ShouldBe(["$.v must be {\"nullable\":true,\"oneOf\":[1],\"items\":[2]}"]);
    }

    [Fact]
    public void Validate_Not_SaysWhatTheValueMustNotMatch() =>
        Validate("""{"properties":{"v":{"not":{"type":"string"}}}}""", """{"v":"x"}""").ShouldBe(["$.v must not match {\"type\":\"string\"}"]);

    [Fact]
    public void Validate_OtherAssertions_AreWordedForTheModel()
    {
        const string schema = """{"properties":{"n":{"multipleOf":5},"tags":{"uniqueItems":true},"o":{"minProperties":2}}}""";

        Validate(schema, """{"n":7,"tags":["a","a"],"o":{"x":1}}""")
            .ShouldBe(["$.n must be a multiple of 5", "$.tags must not contain the same item twice", "$.o must have at least 2 properties"]);
    }

    [Fact]
    public void Validate_KeywordAllosDoesNotWord_KeepsTheLibrarysMessageAfterThePath()
    {
        IReadOnlyList<string> errors = Validate("""{"dependentRequired":{"a":["b"]}}""", """{"a":1}""");

        errors.Count.ShouldBe(1);
        errors[0].ShouldStartWith("$: ");
        errors[0].ShouldContain("b");
    }

    [Fact]
    public void Build_TwoToolsWithTheSameId_KeepTheirOwnSchemas()
    {
        ToolArgumentSchema first = Build("""{"$id":"https://example.com/args","properties":{"v":{"type":"string"}}}""");
        ToolArgumentSchema second = Build("""{"$id":"https://example.com/args","properties":{"v":{"type":"integer"}}}""");
        using JsonDocument arguments = JsonDocument.Parse("""{"v":"x"}""");

        first.Validate(arguments.RootElement).ShouldBeEmpty();
        second.Validate(arguments.RootElement).ShouldBe(["$.v must be an integer"]);
    }

    [Fact]
    public void Validate_InternalRefThroughAnId_IsFollowed() =>
        Validate("""{"$defs":{"n":{"$id":"https://example.com/n","type":"integer"}},"properties":{"v":{"$ref":"https://example.com/n"}}}""", """{"v":"x"}""")
            .ShouldBe(["$.v must be an integer"]);

    [Fact]
    public void Validate_FunctionWithoutSchema_AcceptsAnything() =>
        Validate(default(JsonElement), """{"anything":[1,2]}""").ShouldBeEmpty();

    [Description("Searches")]
    private static string Search([Description("What to find")] string query, int limit = 10, bool exact = false, string? site = null, double weight = 1.0) =>
        $"{query}{limit}{exact}{site}{weight}";

    private static ToolArgumentSchema Build(string schema)
    {
        using JsonDocument schemaDocument = JsonDocument.Parse(schema);
        return ToolArgumentSchema.Build("probe", schemaDocument.RootElement, "schema");
    }

    private static IReadOnlyList<string> Validate(string schema, string arguments)
    {
        using JsonDocument schemaDocument = JsonDocument.Parse(schema);
        return Validate(schemaDocument.RootElement, arguments);
    }

    private static IReadOnlyList<string> Validate(JsonElement schema, string arguments)
    {
        using JsonDocument argumentsDocument = JsonDocument.Parse(arguments);
        return ToolArgumentSchema.Build("probe", schema, "schema").Validate(argumentsDocument.RootElement);
    }
}
