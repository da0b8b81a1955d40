using System.Text.Json;
using Allos.Agents;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Agents;

public sealed class RunStateTests
{
    [Fact]
    public void ToJson_VariablesOfAnyShape_RoundTripAsPlainValues()
    {
        var state = new RunState("run_1", "main");
        state.Variables["ticket"] = "ABC-1";
        state.Variables["count"] = 3;
        state.Variables["strict"] = true;
        state.Variables["files"] = new List<string> { "a.cs", "b.cs" };
        state.Variables["owner"] = new Dictionary<string, object?> { ["name"] = "Ann", ["tags"] = new[] { "x" } };
        state.Variables["raw"] = JsonDocument.Parse("""{"deep":[1,2]}""").RootElement.Clone();

        RunState restored = RunState.FromJson(state.ToJson());

        restored.Variables["ticket"].ShouldBe("ABC-1");
        restored.Variables["count"].ShouldBe(3L);
        restored.Variables["strict"].ShouldBe(true);
        ((JsonElement)restored.Variables["files"]!).GetRawText().ShouldBe("""["a.cs","b.cs"]""");
        ((JsonElement)restored.Variables["owner"]!).GetRawText().ShouldBe("""{"name":"Ann","tags":["x"]}""");
        ((JsonElement)restored.Variables["raw"]!).GetRawText().ShouldBe("""{"deep":[1,2]}""");
    }

    [Fact]
    public void ToJson_AgentTools_RoundTrip()
    {
        var state = new RunState("run_1", "main");
        state.Tools["main"] = ["read_file", "mcp__fs"];
        state.Tools["helper"] = [];

        RunState restored = RunState.FromJson(state.ToJson());

        restored.AgentTools.Keys.ShouldBe(["main", "helper"], ignoreOrder: true);
        restored.AgentTools["main"].ShouldBe(["read_file", "mcp__fs"]);
        restored.AgentTools["helper"].ShouldBeEmpty();
    }

    [Fact]
    public void FromJson_DocumentWithoutTools_ReadsWithNoAgentTools()
    {
        // A paused run written before the agents' tools were kept: the same document without "tools".
        var state = new RunState("run_old", "main");
        state.Tools["main"] = ["mcp__fs"];
        var document = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(state.ToJson())!;
        document.Remove("tools").ShouldBeTrue("the document names the property this way");

        RunState restored = RunState.FromJson(document.ToJsonString());

        restored.RunId.ShouldBe("run_old");
        restored.AgentTools.ShouldBeEmpty();
    }

    [Fact]
    public void ToJson_ToolResultWithAnImage_RoundTripsAsTextAndImage()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2];
        var state = new RunState("run_1", "main");
        state.History.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", new List<AIContent> { new TextContent("see"), new DataContent(png, "image/png") })]));
        state.Added.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_2", new List<AIContent> { new DataContent(png, "image/jpeg") })]));

        RunState restored = RunState.FromJson(state.ToJson());

        IReadOnlyList<AIContent> parts = restored.History[0].Contents.OfType<FunctionResultContent>().Single().Result.ShouldBeAssignableTo<IReadOnlyList<AIContent>>()!;
        parts[0].ShouldBeOfType<TextContent>().Text.ShouldBe("see");
        parts[1].ShouldBeOfType<DataContent>().Data.ToArray().ShouldBe(png);
        restored.Added[0].Contents.OfType<FunctionResultContent>().Single().Result.ShouldBeAssignableTo<IReadOnlyList<AIContent>>()!
            .ShouldHaveSingleItem().ShouldBeOfType<DataContent>().MediaType.ShouldBe("image/jpeg");
    }
}
