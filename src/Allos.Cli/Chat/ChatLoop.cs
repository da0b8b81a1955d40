using Allos.Agents;
using Allos.Cli.Commands;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Settings;
using Allos.Storage;
using Allos.Tools;
using Allos.Tools.BuiltIn;
using Spectre.Console;

namespace Allos.Cli.Chat;

/// <summary>
/// The conversation of <c>allos chat</c>: reads a line, runs it as a turn (or a slash command), and again, until
/// <c>/exit</c> or the end of input. Each turn gets its own cancellation, so Ctrl+C cancels the turn and the prompt
/// comes back.
/// </summary>
internal sealed class ChatLoop
{
    private readonly CliConsole _console;
    private readonly RunRequest _request;
    private readonly AgentHost _host;
    private readonly Conversation _conversation;
    private readonly Interrupts _interrupts;
    private readonly ApprovalHandler? _approvals;
    private readonly ApprovalPrompt? _prompt;
    private readonly ChatInput _input;
    private readonly ChatTotals _totals = new();
    private AgentRunner _runner;
    private TurnExecution? _turn;

    public ChatLoop(CliConsole console, RunRequest request, AgentHost host, Conversation conversation, Interrupts interrupts)
    {
        _console = console;
        _request = request;
        _host = host;
        _conversation = conversation;
        _interrupts = interrupts;
        _input = new ChatInput(console, request.Quiet);

        // Approvals are asked on standard input (the terminal, or the next lines of a pipe), never with --json.
        _prompt = request.Json ? null : new ApprovalPrompt(console, host.Settings.Workspace);
        _approvals = _prompt?.Handler(() => _turn);
        McpSampling.UseApprovals(host, _prompt, () => _turn);
        _runner = host.CreateRunner(conversation.Id, _approvals);
    }

    private TextWriter Error => _console.Error;

    public async Task<int> RunAsync()
    {
        if (!_request.Quiet)
        {
            await BannerAsync();
        }

        while (true)
        {
            InputLine line = _input.Read();
            if (line.Kind == InputKind.EndOfInput)
            {
                return ExitCodes.Success;
            }

            if (line.Kind == InputKind.Interrupted)
            {
                return ExitCodes.Interrupted;
            }

            string text = line.Text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            // "//…" sends a message that starts with a slash.
            if (text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal))
            {
                if (await CommandAsync(text) is int exitCode)
                {
                    return exitCode;
                }

                continue;
            }

            await TurnAsync(text.StartsWith("//", StringComparison.Ordinal) ? text[1..] : text);
        }
    }

    private async Task TurnAsync(string text)
    {
        // A fresh execution per turn: a stop for an unanswered approval belongs to the turn that had it.
        _turn = new TurnExecution(_host, _conversation, _runner, _console);
        TurnOutcome outcome = await _turn.RunAsync(text, _request.Quiet, _request.Json, _interrupts.NextTurn());
        _totals.Add(outcome.Result?.Usage, outcome.Result?.Cost, turn: true);
        if (!_request.Json && !_request.Quiet)
        {
            Error.WriteLine();
        }
    }

    /// <summary>Runs a slash command; returns an exit code when the chat ends.</summary>
    private async Task<int?> CommandAsync(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        string name = (space < 0 ? text : text[..space]).ToLowerInvariant();
        string? argument = space < 0 ? null : text[(space + 1)..].Trim() is { Length: > 0 } value ? value : null;
        try
        {
            switch (name)
            {
                case "/exit" or "/quit":
                    return ExitCodes.Success;
                case "/help" or "/?":
                    Help();
                    break;
                case "/model":
                    Model(argument);
                    break;
                case "/tools":
                    Tools();
                    break;
                case "/autonomy":
                    Autonomy(argument);
                    break;
                case "/session":
                    await SessionAsync();
                    break;
                case "/cost":
                    await CostAsync();
                    break;
                case "/clear":
                    await _conversation.ClearAsync(_host, _interrupts.NextTurn());
                    Error.WriteLine("cleared: the next message starts a new conversation (the session keeps the earlier messages and its totals).");
                    break;
                case "/compact":
                    await CompactAsync();
                    break;
                default:
                    Fail($"unknown command {name}. Commands: {SlashCommands.List} (/help explains them).");
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine("cancelled");
        }
        catch (Exception ex) when (ex is AllosException or IOException or InvalidOperationException or KeyNotFoundException)
        {
            ErrorReport.Write(_console, ex, _request.Verbose);
        }

        if (!_request.Quiet)
        {
            Error.WriteLine();
        }

        return null;
    }

    private async Task BannerAsync()
    {
        string tools = _host.Settings.Tools.Count == 0 ? "no tools" : "tools " + string.Join(",", _host.Settings.Tools);
        Error.WriteLine(Dim($"allos chat · {_host.Model} · {Lower(_host.Autonomy)} · {tools}"));
        int count = _conversation.Messages.Count;
        string kind = _conversation.IsFile ? "session file" : "session";

        // The short id, as the list and the closing line show it: enough to resume the session with.
        string id = _conversation.IsFile ? _conversation.Id : await Admin.SessionLookup.ShortIdOrWholeAsync(_host.Store.Sessions, _conversation.Id);
        Error.WriteLine(count > 0 ? $"resumed {kind} {id} ({count} messages)" : $"{kind} {id}");
        Error.WriteLine(Dim(_console.InputIsTerminal
            ? "/help lists the commands · Ctrl+C cancels a turn · Ctrl+D or /exit leaves"
            : "/help lists the commands"));
        Error.WriteLine();
    }

    private void Help()
    {
        foreach ((string name, string arguments, string description) in SlashCommands.All)
        {
            Error.WriteLine($"  {(name + " " + arguments).PadRight(44)}{description}");
        }

        Error.WriteLine(Dim("A line starting with // is sent as a message starting with /. Ctrl+C cancels the turn in progress; " +
            "at the prompt it clears the line, and twice on an empty line it quits (exit 130). Ctrl+D on an empty line leaves."));
    }

    private void Model(string? model)
    {
        if (model is null)
        {
            Error.WriteLine($"model: {_host.Model}");
            Error.WriteLine(Dim("switch with /model provider/model (an alias or Router group from allos.yaml works too); `allos models` lists known ones."));
            return;
        }

        string previous = _host.Model;
        try
        {
            _host.UseModel(model);
        }
        catch (ConfigurationException ex)
        {
            Fail($"{ErrorReport.Message(ex).ReplaceLineEndings(" ")} (still on {previous})");
            return;
        }

        _runner = _host.CreateRunner(_conversation.Id, _approvals);
        Error.WriteLine($"model: {_host.Model} for the next turns (was {previous})");
    }

    private void Autonomy(string? level)
    {
        if (level is not null)
        {
            try
            {
                _host.Autonomy = CliSettings.ParseAutonomy(level);
            }
            catch (ConfigurationException ex)
            {
                Fail(ex.Message);
                return;
            }

            _runner = _host.CreateRunner(_conversation.Id, _approvals);
        }

        Error.WriteLine($"autonomy: {Lower(_host.Autonomy)} — " + _host.Autonomy switch
        {
            AutonomyLevel.Manual => "every tool call asks first",
            AutonomyLevel.Autonomous => "tools run without asking (those denied still are)",
            _ => "tools that write, run commands or use the network ask first",
        });
        if (_host.Agents.Any(agent => agent.Autonomy is not null))
        {
            Error.WriteLine(Dim("agents with their own autonomy in agents.yaml keep it."));
        }
    }

    private void Tools()
    {
        AgentDefinition agent = _host.Agents.First(candidate => candidate.Name == _host.EntryAgent);
        IReadOnlyList<Tool> tools = _host.Tools.Resolve(agent.Tools);
        if (agent.Tools.Any(name => name.Trim() == BuiltInTools.HostedWebSearch))
        {
            Error.WriteLine(Dim($"{BuiltInTools.HostedWebSearch}: the provider searches the web itself; it asks no approval."));
        }

        if (tools.Count == 0)
        {
            Error.WriteLine("no tools in this session (start with --tools files,search,shell to give some).");
            return;
        }

        var table = new Table().AddColumns("tool", "risk", "permission", "your answers");
        foreach (Tool tool in tools)
        {
            ToolPermission permission = agent.ToolPermissions.TryGetValue(tool.Name, out ToolPermission own) ? own
                : tool.Permission ?? (tool.Risk >= ToolRisk.Network ? ToolPermission.Ask : ToolPermission.Allow);
            string effective = permission == ToolPermission.Deny ? "deny" : _host.Autonomy switch
            {
                AutonomyLevel.Manual => "ask",
                AutonomyLevel.Autonomous => "allow",
                _ => Lower(permission),
            };
            table.AddRow(Markup.Escape(tool.Name), Lower(tool.Risk), effective, _prompt?.AnswersFor(tool.Name) ?? "-");
        }

        _console.Rich.Write(table);
        Error.WriteLine(Dim($"permission under autonomy {Lower(_host.Autonomy)}; your answers are those given in this chat; a (always) and d (deny always) hold for the rest of it."));
    }

    private async Task SessionAsync()
    {
        Error.WriteLine($"session   {_conversation.Id}{(_conversation.IsFile ? " (session file)" : "")}");
        Error.WriteLine($"messages  {_conversation.Messages.Count}");
        if (!_conversation.IsFile && await _host.Store.Sessions.GetAsync(_conversation.Id, _interrupts.NextTurn()) is SessionRecord record)
        {
            Error.WriteLine($"tokens    {ChatTotals.Tokens(record.InputTokens, record.OutputTokens)}");
            Error.WriteLine($"cost      {Money.Format(SessionCost(record))}");
            Error.WriteLine($"created   {record.Created.ToLocalTime():yyyy-MM-dd HH:mm}");
        }
        else
        {
            Error.WriteLine($"tokens    {ChatTotals.Tokens(_totals.InputTokens, _totals.OutputTokens)} (this chat)");
            Error.WriteLine($"cost      {Money.Format(_totals.Cost)} (this chat)");
        }

        Error.WriteLine($"model     {_host.Model} · autonomy {Lower(_host.Autonomy)}");
    }

    private async Task CostAsync()
    {
        Error.WriteLine($"this chat: {_totals} ({_totals.Turns} {(_totals.Turns == 1 ? "turn" : "turns")})");
        if (!_conversation.IsFile && await _host.Store.Sessions.GetAsync(_conversation.Id, _interrupts.NextTurn()) is SessionRecord record)
        {
            Error.WriteLine($"session total: {ChatTotals.Tokens(record.InputTokens, record.OutputTokens)} · {Money.Format(SessionCost(record))}");
        }
        else
        {
            Error.WriteLine(Dim("(a session file keeps no totals; `allos stats` has the spending of every session)"));
        }
    }

    private async Task CompactAsync()
    {
        CancellationToken cancellationToken = _interrupts.NextTurn();
        HistoryCompactor.Result? result;
        using (var spinner = new Output.Spinner(Error, _console.Colors))
        {
            spinner.Start("compacting");
            result = await new HistoryCompactor(_host).CompactAsync(_conversation.Id, _conversation.Messages, cancellationToken);
        }

        if (result is null)
        {
            Error.WriteLine($"nothing to compact: the history has no more than {HistoryCompactor.KeepTurns} turns.");
            return;
        }

        await _conversation.CompactAsync(_host, result.History, result.Kept, result.Turn, cancellationToken);
        _totals.Add(result.Usage, result.Cost, turn: false);
        Error.WriteLine(
            $"compacted {result.SummarizedTurns} {(result.SummarizedTurns == 1 ? "turn" : "turns")} ({result.SummarizedMessages} messages) into a summary; " +
            $"kept the last {HistoryCompactor.KeepTurns} · {ChatTotals.Tokens(result.Usage.InputTokenCount ?? 0, result.Usage.OutputTokenCount ?? 0)} · {Money.Format(result.Cost)}");
    }

    // The store keeps no cost until a priced turn; nothing spent yet is $0, not unknown.
    private static decimal? SessionCost(SessionRecord record) => record.Cost ?? (record.InputTokens + record.OutputTokens == 0 ? 0m : null);

    private void Fail(string message) => Error.WriteLine($"{(_console.Colors ? "\u001b[31merror:\u001b[0m" : "error:")} {message}");

    private string Dim(string text) => _console.Colors ? $"\u001b[2m{text}\u001b[0m" : text;

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
