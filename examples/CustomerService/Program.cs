using System.Text.Json;
using Allos;
using Allos.Agents;
using Allos.Tools;

// A customer-service team from agents.yaml: dotnet run --project examples/CustomerService -- "I want a refund for order 1001"
// Set the keys of the providers the YAML names (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY), or edit the models.
var orders = new Dictionary<string, (string Product, decimal Total, bool Refunded)>
{
    ["1001"] = ("Trail tent 2P", 249.00m, false),
    ["1002"] = ("Down jacket M", 189.50m, false),
};
string[] catalog = ["Trail tent 2P — 249.00, in stock", "Down jacket S/M/L — 189.50, M out of stock", "Camp stove — 59.90, in stock"];

var tools = new ToolRegistry()
    .Add(Tool.Create("find_products", "Searches the catalog.", """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}""",
        (args, _, _) => ValueTask.FromResult<object?>(string.Join('\n', catalog.Where(p => p.Contains(args.GetProperty("query").GetString()!, StringComparison.OrdinalIgnoreCase))))))
    .Add(Tool.Create("place_order", "Places an order.", """{"type":"object","properties":{"product":{"type":"string"},"quantity":{"type":"integer","minimum":1}},"required":["product","quantity"]}""",
        (args, _, _) => ValueTask.FromResult<object?>($"Order {1000 + orders.Count + 1} placed for {args.GetProperty("quantity").GetInt32()} × {args.GetProperty("product").GetString()}."),
        ToolRisk.Writes))
    .Add(Tool.Create("find_order", "Looks an order up by number.", """{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]}""",
        (args, _, _) => ValueTask.FromResult<object?>(orders.TryGetValue(args.GetProperty("order").GetString()!, out var o)
            ? JsonSerializer.Serialize(new Dictionary<string, object> { ["product"] = o.Product, ["total"] = o.Total, ["refunded"] = o.Refunded }, ExampleJson.Default.DictionaryStringObject)
            : "No such order.")))
    .Add(Tool.Create("refund_order", "Refunds an order in full.", """{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]}""",
        (args, _, _) => ValueTask.FromResult<object?>($"Order {args.GetProperty("order").GetString()} refunded."), ToolRisk.Writes));

AgentTeam team = AgentTeam.LoadFile(Path.Combine(AppContext.BaseDirectory, "agents.yaml"));
AgentRunner runner = team.CreateRunner(new AgentRunnerOptions
{
    Tools = tools,
    ApprovalHandler = (request, _) =>
    {
        Console.Write($"\nAllow {request.ToolName} {request.ArgumentsJson}? [y/N] ");
        bool yes = Console.ReadLine()?.Trim().StartsWith('y') == true;
        return ValueTask.FromResult(yes ? ApprovalDecision.Approve(request.ApprovalId) : ApprovalDecision.Deny(request.ApprovalId));
    },
});

string question = args.Length > 0 ? string.Join(' ', args) : "I want a refund for order 1001, the tent leaks.";
try
{
    await foreach (RunEvent e in runner.RunStreamingAsync(question))
    {
        switch (e)
        {
            case TextDeltaEvent text:
                Console.Write(text.Text);
                break;
            case HandoffEvent handoff:
                Console.WriteLine($"\n[{handoff.Agent} → {handoff.To}: {handoff.Reason}]");
                break;
            case ToolCallCompletedEvent call:
                Console.WriteLine($"\n[{call.Agent}: {call.ToolName} {call.Outcome}]");
                break;
            case RunCompletedEvent { Result.Status: RunStatus.Failed } failed:
                Console.Error.WriteLine($"\n{failed.Result.Error?.Message}");
                return failed.Result.Error is ConfigurationException ? 3 : 1;
            case RunCompletedEvent done:
                Console.WriteLine($"\n[{done.Result.Status}; path {string.Join(" → ", done.Result.HandoffPath)}; {done.Result.Usage.InputTokenCount ?? 0} in / {done.Result.Usage.OutputTokenCount ?? 0} out]");
                return done.Result.Status == RunStatus.Completed ? 0 : 1;
        }
    }
}
catch (ConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 3;
}

return 1;
