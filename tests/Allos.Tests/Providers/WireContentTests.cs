using System.Text.Json;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Providers;

public sealed class WireContentTests
{
    [Fact]
    public void ParseCall_ValidJson_YieldsJsonElementArguments()
    {
        FunctionCallContent call = WireContent.ParseCall("c1", "f", """{"a":1,"b":"x"}""");

        call.Exception.ShouldBeNull();
        call.Arguments!["a"].ShouldBeOfType<JsonElement>().GetInt32().ShouldBe(1);
        call.Arguments!["b"].ShouldBeOfType<JsonElement>().GetString().ShouldBe("x");
    }

    [Theory]
    [InlineData("""{"a":""")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    public void ParseCall_MalformedJson_CarriesTheErrorInsteadOfThrowing(string json)
    {
        FunctionCallContent call = WireContent.ParseCall("c1", "f", json);

        call.Exception.ShouldNotBeNull();
        call.CallId.ShouldBe("c1");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void ParseCall_EmptyArguments_MeanNoArguments(string? json) =>
        WireContent.ParseCall("c1", "f", json).Arguments.ShouldNotBeNull().ShouldBeEmpty();

    [Fact]
    public void ArgumentsRoundTrip_KeepsValues()
    {
        FunctionCallContent call = WireContent.ParseCall("c1", "f", """{"path":"a.txt","lines":[1,2],"opts":{"x":true}}""");

        string json = WireContent.ArgumentsToJson(call.Arguments);

        JsonDocument.Parse(json).RootElement.GetProperty("opts").GetProperty("x").GetBoolean().ShouldBeTrue();
        WireContent.ArgumentsToElement(call.Arguments).GetProperty("lines").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public void ResultToText_CoversStringsJsonObjectsAndErrors()
    {
        WireContent.ResultToText(new FunctionResultContent("c", "plain")).ShouldBe("plain");
        WireContent.ResultToText(new FunctionResultContent("c", JsonDocument.Parse("""{"t":22}""").RootElement)).ShouldBe("""{"t":22}""");
        WireContent.ResultToText(new FunctionResultContent("c", 42)).ShouldBe("42");
        WireContent.ResultToText(new FunctionResultContent("c", null) { Exception = new InvalidOperationException("boom") }).ShouldBe("Error: boom");
    }

    [Fact]
    public void SystemPrompt_JoinsInstructionsAndSystemMessages()
    {
        ChatMessage[] messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hi"), new(ChatRole.System, "Use metric units.")];

        WireContent.SystemPrompt(messages, new ChatOptions { Instructions = "You are Allos." })
            .ShouldBe("You are Allos.\n\nBe brief.\n\nUse metric units.");
        WireContent.SystemPrompt([new ChatMessage(ChatRole.User, "hi")], null).ShouldBeNull();
    }

    [Fact]
    public void ObjectSchema_ParameterlessFunction_IsAnObjectSchemaWithProperties()
    {
        AIFunction function = AIFunctionFactory.Create(() => "x", "now");

        JsonElement schema = ToolDeclarations.ObjectSchema(function);

        schema.GetProperty("type").GetString().ShouldBe("object");
        schema.GetProperty("properties").ValueKind.ShouldBe(JsonValueKind.Object);
    }
}
