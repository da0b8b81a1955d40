using Allos;
using Allos.Agents;
using Allos.Tools;

// A coding agent with the built-in tools, confined to a workspace, asking before it writes or runs anything:
//   dotnet run --project examples/CodingAgent -- [--model provider/model] [--cwd DIR] "Add a README to this project"
string model = Environment.GetEnvironmentVariable("ALLOS_MODEL") ?? "anthropic/claude-sonnet-4-5";
string workspace = Environment.CurrentDirectory;
var words = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" or "-m" when i + 1 < args.Length:
            model = args[++i];
            break;
        case "--cwd" when i + 1 < args.Length:
            workspace = Path.GetFullPath(args[++i]);
            break;
        default:
            words.Add(args[i]);
            break;
    }
}

var coder = new AgentDefinition
{
    Name = "coder",
    Model = model,
    Instructions = """
        You are a careful software engineer working in the user's project. Read before you write, keep changes small,
        and run the tests when there are any. Paths are relative to the project root.
        """,
    Tools = ["files", "search", "shell"],
    MaxIterations = 30,
};

var runner = new AgentRunner(coder, new AgentRunnerOptions
{
    Tools = ToolRegistry.CreateWithBuiltIns(),
    Workspace = new Workspace(workspace),
    Autonomy = AutonomyLevel.Supervised,
    ApprovalHandler = (request, _) =>
    {
        Console.Write($"\n{request.ToolName} {request.ArgumentsJson}\nAllow? [y]es / [n]o / [a]lways / [d]eny always: ");
        string answer = Console.ReadLine()?.Trim().ToLowerInvariant() ?? "n";
        return ValueTask.FromResult(answer switch
        {
            "y" or "yes" => ApprovalDecision.Approve(request.ApprovalId),
            "a" => ApprovalDecision.Approve(request.ApprovalId, always: true),
            "d" => ApprovalDecision.Deny(request.ApprovalId, always: true),
            _ => ApprovalDecision.Deny(request.ApprovalId),
        });
    },
});

string task = words.Count > 0 ? string.Join(' ', words) : "Describe this project in three sentences.";
await foreach (RunEvent e in runner.RunStreamingAsync(task))
{
    switch (e)
    {
        case TextDeltaEvent text:
            Console.Write(text.Text);
            break;
        case ToolCallCompletedEvent call:
            Console.WriteLine($"\n  {call.ToolName} → {call.Outcome} ({call.Duration.TotalMilliseconds:0} ms)");
            break;
        case RunCompletedEvent { Result: var result }:
            Console.WriteLine();
            if (result.Error is { } error)
            {
                Console.Error.WriteLine(error.Message);
            }

            Console.Error.WriteLine($"[{result.Status}; {result.Usage.InputTokenCount ?? 0} in / {result.Usage.OutputTokenCount ?? 0} out]");
            return result.Status == RunStatus.Completed ? 0 : result.Error is ConfigurationException ? 3 : 1;
    }
}

return 1;
