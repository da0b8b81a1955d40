using System.CommandLine;

namespace Allos.Cli.Settings;

/// <summary>The flags <c>run</c> and <c>chat</c> share, declared once.</summary>
internal sealed class RunFlags
{
    public Option<string?> Model { get; } = new("--model", "-m") { HelpName = "MODEL", Description = "Model id (provider/model) or an alias from allos.yaml" };

    public Option<string?> Provider { get; } = new("--provider", "-p") { HelpName = "NAME", Description = "Provider for a bare --model, or its default model when --model is absent" };

    public Option<string?> Tools { get; } = new("--tools", "-t") { HelpName = "LIST", Description = "Tools or groups, comma-separated (default: files,search,shell); 'none' for no tools" };

    public Option<bool> AutoApprove { get; } = new("--auto-approve", "-y") { Description = "Run tools that need approval without asking" };

    public Option<string?> Autonomy { get; } = new("--autonomy") { HelpName = "LEVEL", Description = "manual | supervised (default) | autonomous" };

    public Option<string?> Session { get; } = new("--session", "-s") { HelpName = "ID", Description = "Session id to resume or create; a path ending in .json is a session file" };

    public Option<bool> Continue { get; } = new("--continue", "-c") { Description = "Continue the most recent session, with its model" };

    public Option<string?> Agent { get; } = new("--agent") { HelpName = "NAME", Description = "Agent from agents.yaml" };

    public Option<string?> System { get; } = new("--system") { HelpName = "TEXT", Description = "System prompt" };

    public Option<int?> MaxIterations { get; } = new("--max-iterations") { HelpName = "N", Description = "Most model calls in one run" };

    public Option<string?> Memory { get; } = new("--memory") { HelpName = "MODE", Description = "recall: add what earlier sessions said about the task (none: don't)" };

    public Option<string?> Cwd { get; } = new("--cwd") { HelpName = "DIR", Description = "Run in this folder, as git -C: its allos.yaml, .env and agents.yaml apply and it is the tools' workspace" };

    public Option<bool> NoStream { get; } = new("--no-stream") { Description = "Wait for whole answers instead of streaming" };

    public Option<bool> Json { get; } = new("--json") { Description = "Print exactly one JSON object on stdout" };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log each request (secrets masked) and error details" };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print only the answer" };

    public Option<bool> Wait { get; } = new("--wait") { Description = "If another process is running on the --session, wait for it instead of exiting" };

    public RunFlags() => FlagValidation.AddTo(this);

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Model, Provider, Tools, AutoApprove, Autonomy, Session, Continue, Agent, System, MaxIterations, Memory, Cwd, NoStream, Json, Verbose, Quiet, Wait })
        {
            command.Options.Add(option);
        }
    }

    public RunRequest Read(ParseResult result) => new()
    {
        Model = result.GetValue(Model),
        Provider = result.GetValue(Provider),
        Tools = result.GetValue(Tools),
        AutoApprove = result.GetValue(AutoApprove),
        Autonomy = result.GetValue(Autonomy),
        Session = result.GetValue(Session),
        Continue = result.GetValue(Continue),
        Agent = result.GetValue(Agent),
        System = result.GetValue(System),
        MaxIterations = result.GetValue(MaxIterations),
        Memory = result.GetValue(Memory),
        Cwd = result.GetValue(Cwd),
        NoStream = result.GetValue(NoStream),
        Json = result.GetValue(Json),
        Verbose = result.GetValue(Verbose),
        Quiet = result.GetValue(Quiet),
        Wait = result.GetValue(Wait),
    };
}
