using System.Text.Json;
using System.Text.Json.Nodes;
using Allos.Providers.Anthropic;

namespace Allos.Tests.Providers.Anthropic;

public sealed class AnthropicSchemaTests
{
    [Fact]
    public void Strict_DefsRefAndAllOf_RewritesDefinitionsAndKeepsLocalReferences()
    {
        JsonElement schema = Parse("""
            {"type":"object","properties":{"home":{"$ref":"#/$defs/Address"},"both":{"allOf":[{"$ref":"#/$defs/Address"}]}},
             "$defs":{"Address":{"type":"object","properties":{"zip":{"type":"string","pattern":"^[0-9]{5}$"}},"required":["zip"]}}}
            """);

        JsonElement strict = AnthropicSchema.Strict(schema);

        AssertJson(strict, """
            {"type":"object","properties":{"home":{"$ref":"#/$defs/Address"},"both":{"allOf":[{"$ref":"#/$defs/Address"}]}},
             "$defs":{"Address":{"type":"object","properties":{"zip":{"type":"string","description":"{pattern: \"^[0-9]{5}$\"}"}},
               "required":["zip"],"additionalProperties":false}},
             "additionalProperties":false}
            """);
    }

    [Fact]
    public void Strict_ObjectWithoutProperties_GetsEmptyPropertiesAndNoAdditionalOnes()
    {
        AssertJson(AnthropicSchema.Strict(Parse("""{"type":"object","additionalProperties":{"type":"string"}}""")),
            """{"type":"object","properties":{},"additionalProperties":false}""");
    }

    [Fact]
    public void Strict_DescriptionGiven_IsUsedOnlyWhenTheRootHasNone()
    {
        AnthropicSchema.Strict(Parse("""{"type":"string"}"""), "A name.").GetProperty("description").GetString().ShouldBe("A name.");
        AnthropicSchema.Strict(Parse("""{"type":"string","description":"Own."}"""), "A name.").GetProperty("description").GetString().ShouldBe("Own.");
    }

    [Fact]
    public void Strict_Input_IsNotModified()
    {
        JsonElement schema = Parse("""{"type":"object","properties":{"n":{"type":"integer","minimum":1}}}""");
        string before = schema.GetRawText();

        AnthropicSchema.Strict(schema);

        schema.GetRawText().ShouldBe(before);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static void AssertJson(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"Expected {expectedNode?.ToJsonString()} but got {actualNode?.ToJsonString()}");
    }
}
