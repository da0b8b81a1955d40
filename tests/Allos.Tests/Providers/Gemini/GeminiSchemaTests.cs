using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Allos.Providers.Gemini;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Providers.Gemini;

public sealed class GeminiSchemaTests
{
    private static readonly HashSet<string> GeminiKeywords =
    [
        "type", "format", "title", "description", "nullable", "enum", "items", "properties", "required", "minItems", "maxItems",
        "minimum", "maximum", "minLength", "maxLength", "pattern", "anyOf", "propertyOrdering", "default", "minProperties", "maxProperties",
    ];

    public enum Unit
    {
        Celsius,
        Fahrenheit,
    }

    [Fact]
    public void Clean_AIFunctionFactorySchema_KeepsParametersAndMakesNullablesGeminiStyle()
    {
        AIFunction function = AIFunctionFactory.Create(Forecast, new AIFunctionFactoryOptions { SerializerOptions = ReflectionOptions() });

        JsonElement cleaned = GeminiSchema.Clean(function.JsonSchema);

        AssertOnlyGeminiKeywords(cleaned);
        cleaned.GetProperty("type").GetString().ShouldBe("object");
        JsonElement properties = cleaned.GetProperty("properties");
        AssertJson(properties.GetProperty("city"), """{"type":"string","description":"City name"}""");
        AssertJson(properties.GetProperty("days"), """{"type":"integer","nullable":true}""");
        AssertJson(properties.GetProperty("unit"), """{"type":"string","enum":["Celsius","Fahrenheit"]}""");
        JsonElement from = properties.GetProperty("from");
        from.GetProperty("type").GetString().ShouldBe("string");
        from.GetProperty("nullable").GetBoolean().ShouldBeTrue();
        from.GetProperty("format").GetString().ShouldBe("date-time");
        JsonElement tags = properties.GetProperty("tags");
        tags.GetProperty("type").GetString().ShouldBe("array");
        tags.GetProperty("nullable").GetBoolean().ShouldBeTrue();
        tags.GetProperty("items").GetProperty("type").GetString().ShouldBe("string");
        cleaned.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["city", "days", "unit"], ignoreOrder: true);
    }

    [Fact]
    public void Clean_McpSchema_DropsSchemaIdCommentAdditionalPropertiesAndExamples()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "$id": "urn:tool:read_file",
              "$comment": "generated",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "path": { "type": "string", "description": "File path", "examples": ["/tmp/a.txt"], "minLength": 1 },
                "encoding": { "type": "string", "default": "utf-8", "format": "uri" },
                "limit": { "type": "integer", "minimum": 1, "maximum": 1000, "exclusiveMaximum": 1001, "format": "int32" }
              },
              "required": ["path", "ghost"],
              "patternProperties": { "^x-": { "type": "string" } }
            }
            """));

        AssertJson(cleaned, """
            {
              "type": "object",
              "properties": {
                "path": { "type": "string", "description": "File path", "minLength": 1 },
                "encoding": { "type": "string", "default": "utf-8" },
                "limit": { "type": "integer", "minimum": 1, "maximum": 1000, "format": "int32" }
              },
              "required": ["path"]
            }
            """);
    }

    [Fact]
    public void Clean_RefToDefs_IsInlinedWithSiblingDescription()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "type": "object",
              "properties": {
                "address": { "$ref": "#/$defs/Address", "description": "Where to ship" },
                "billing": { "$ref": "#/definitions/Address" }
              },
              "$defs": { "Address": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"], "additionalProperties": false } },
              "definitions": { "Address": { "type": "object", "properties": { "zip": { "type": "string" } } } }
            }
            """));

        AssertJson(cleaned, """
            {
              "type": "object",
              "properties": {
                "address": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"], "description": "Where to ship" },
                "billing": { "type": "object", "properties": { "zip": { "type": "string" } } }
              }
            }
            """);
    }

    [Fact]
    public void Clean_RecursiveRef_FallsBackToObjectAtTheCycle()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "type": "object",
              "properties": { "root": { "$ref": "#/$defs/Node" } },
              "$defs": {
                "Node": { "type": "object", "properties": { "name": { "type": "string" }, "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } } } }
              }
            }
            """));

        AssertJson(cleaned.GetProperty("properties").GetProperty("root"), """
            {
              "type": "object",
              "properties": {
                "name": { "type": "string" },
                "children": { "type": "array", "items": { "type": "object" } }
              }
            }
            """);
    }

    [Fact]
    public void Clean_SelfReferenceToRoot_Terminates()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""{"type":"object","properties":{"next":{"$ref":"#"}}}"""));

        cleaned.GetProperty("properties").GetProperty("next").GetProperty("type").GetString().ShouldBe("object");
    }

    [Fact]
    public void Clean_UnresolvableRef_FallsBackToObject()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""{"type":"object","properties":{"x":{"$ref":"https://example.com/schema.json"},"y":{"$ref":"#/$defs/Missing"}}}"""));

        AssertJson(cleaned.GetProperty("properties"), """{"x":{"type":"object"},"y":{"type":"object"}}""");
    }

    [Fact]
    public void Clean_DeeplyNestedSchema_IsCutWithObjectFallback()
    {
        string nested = """{"type":"string"}""";
        for (int i = 0; i < 60; i++)
        {
            nested = $$$"""{"type":"object","properties":{"p":{{{nested}}}}}""";
        }

        JsonElement cleaned = GeminiSchema.Clean(JsonDocument.Parse(nested, new JsonDocumentOptions { MaxDepth = 512 }).RootElement);

        cleaned.GetRawText().ShouldNotContain("\"string\"");
        cleaned.GetRawText().ShouldContain("\"object\"");
    }

    [Fact]
    public void Clean_NullableForms_BecomeNullableTrue()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "type": "object",
              "properties": {
                "a": { "type": ["string", "null"] },
                "b": { "anyOf": [{ "$ref": "#/$defs/Color" }, { "type": "null" }], "description": "Optional color" },
                "c": { "oneOf": [{ "type": "integer" }, { "type": "null" }] },
                "d": { "type": ["string", "integer"] },
                "e": { "type": ["string", "null"], "enum": ["x", "y", null] }
              },
              "$defs": { "Color": { "type": "string", "enum": ["red", "green"] } }
            }
            """));

        AssertJson(cleaned.GetProperty("properties"), """
            {
              "a": { "type": "string", "nullable": true },
              "b": { "type": "string", "enum": ["red", "green"], "description": "Optional color", "nullable": true },
              "c": { "type": "integer", "nullable": true },
              "d": { "anyOf": [{ "type": "string" }, { "type": "integer" }] },
              "e": { "type": "string", "nullable": true, "enum": ["x", "y"] }
            }
            """);
    }

    [Fact]
    public void Clean_OneOfAndConst_BecomeAnyOfAndEnum()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "type": "object",
              "properties": {
                "shape": {
                  "oneOf": [
                    { "type": "object", "properties": { "kind": { "const": "circle" }, "r": { "type": "number" } } },
                    { "type": "object", "properties": { "kind": { "const": "square" }, "side": { "type": "number" } } }
                  ]
                },
                "version": { "const": 2 }
              }
            }
            """));

        AssertJson(cleaned.GetProperty("properties"), """
            {
              "shape": {
                "anyOf": [
                  { "type": "object", "properties": { "kind": { "type": "string", "enum": ["circle"] }, "r": { "type": "number" } } },
                  { "type": "object", "properties": { "kind": { "type": "string", "enum": ["square"] }, "side": { "type": "number" } } }
                ]
              },
              "version": {}
            }
            """);
    }

    [Fact]
    public void Clean_AllOf_IsMergedIntoParent()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""
            {
              "allOf": [
                { "type": "object", "properties": { "a": { "type": "string" } }, "required": ["a"] },
                { "properties": { "b": { "type": "integer" } }, "required": ["b"] }
              ],
              "description": "Both"
            }
            """));

        AssertJson(cleaned, """
            {
              "type": "object",
              "properties": { "a": { "type": "string" }, "b": { "type": "integer" } },
              "required": ["a", "b"],
              "description": "Both"
            }
            """);
    }

    [Theory]
    [InlineData("string", "date-time", true)]
    [InlineData("string", "enum", true)]
    [InlineData("string", "email", false)]
    [InlineData("string", "uuid", false)]
    [InlineData("number", "float", true)]
    [InlineData("number", "double", true)]
    [InlineData("integer", "int64", true)]
    [InlineData("integer", "uint8", false)]
    [InlineData("number", "int32", false)]
    public void Clean_Format_IsKeptOnlyWhereGeminiAcceptsIt(string type, string format, bool kept)
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse($$"""{"type":"{{type}}","format":"{{format}}"}"""));

        cleaned.TryGetProperty("format", out _).ShouldBe(kept);
        cleaned.GetProperty("type").GetString().ShouldBe(type);
    }

    [Fact]
    public void Clean_NonStringEnum_IsDropped()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""{"type":"integer","enum":[0,1,2]}"""));

        AssertJson(cleaned, """{"type":"integer"}""");
    }

    [Fact]
    public void Clean_TupleItems_BecomeAnyOfOfThePositions()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""{"type":"array","items":[{"type":"string"},{"type":"number"}],"minItems":2,"maxItems":2}"""));

        AssertJson(cleaned, """{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"number"}]},"minItems":2,"maxItems":2}""");
    }

    [Fact]
    public void Clean_BooleanPropertySchema_BecomesEmptySchema()
    {
        JsonElement cleaned = GeminiSchema.Clean(Parse("""{"type":"object","properties":{"anything":true}}"""));

        AssertJson(cleaned, """{"type":"object","properties":{"anything":{}}}""");
    }

    [Fact]
    public void Clean_Input_IsNotModified()
    {
        const string Text = """{"$schema":"x","type":["string","null"],"additionalProperties":false}""";
        JsonElement input = Parse(Text);

        GeminiSchema.Clean(input);

        input.GetRawText().ShouldBe(Text);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{}}""", true)]
    [InlineData("""{"type":"object"}""", true)]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}}}""", false)]
    public void HasNoProperties_ReportsEmptyRootObjects(string schema, bool expected)
    {
        GeminiSchema.HasNoProperties(GeminiSchema.Clean(Parse(schema))).ShouldBe(expected);
    }

    [Description("Gets the forecast")]
    private static string Forecast(
        [Description("City name")] string city,
        int? days,
        Unit unit,
        DateTimeOffset? from = null,
        string[]? tags = null) => $"{city} {days} {unit} {from} {tags?.Length}";

    private static JsonSerializerOptions ReflectionOptions()
    {
        // The test project turns reflection off by default; AIFunctionFactory needs it to describe arbitrary parameter types.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.Converters.Add(new JsonStringEnumConverter<Unit>());
        options.MakeReadOnly();
        return options;
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static void AssertJson(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue($"expected {expected}\n but was {actual.GetRawText()}");
    }

    private static void AssertOnlyGeminiKeywords(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty property in schema.EnumerateObject())
        {
            GeminiKeywords.ShouldContain(property.Name);
            switch (property.Name)
            {
                case "properties":
                    foreach (JsonProperty child in property.Value.EnumerateObject())
                    {
                        AssertOnlyGeminiKeywords(child.Value);
                    }

                    break;
                case "items":
                    AssertOnlyGeminiKeywords(property.Value);
                    break;
                case "anyOf":
                    foreach (JsonElement branch in property.Value.EnumerateArray())
                    {
                        AssertOnlyGeminiKeywords(branch);
                    }

                    break;
            }
        }
    }
}
