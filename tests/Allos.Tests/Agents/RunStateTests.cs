using System.Text.Json;
using Allos.Agents;

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
}
