using System.CommandLine;
using Allos.Cli.Commands;
using Allos.Cli.Settings;

namespace Allos.Cli;

/// <summary>The command tree: <c>allos [TASK]</c>, run, chat, sessions, providers, models, tools, prompts, mcp, stats, config.</summary>
internal static class CliApp
{
    public static RootCommand Create()
    {
        var flags = new RunFlags();
        var task = new Argument<string[]>("task") { Arity = ArgumentArity.ZeroOrMore, Description = "A task to run (as `allos run`); without one, `allos` starts a chat" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Start an interactive chat" };
        var root = new RootCommand("allos: run tasks and chat on any model, with tools that ask before they act.") { task, interactive };
        flags.AddTo(root);
        root.SetAction((result, cancellationToken) =>
        {
            RunRequest request = flags.Read(result);
            string? text = RunCommand.Join(result.GetValue(task));
            return text is null && (result.GetValue(interactive) || !Console.IsInputRedirected)
                ? ChatCommand.ExecuteAsync(request)
                : RunCommand.ExecuteAsync(request, text);
        });

        root.Subcommands.Add(RunCommand.Create(flags));
        root.Subcommands.Add(ChatCommand.Create(flags));
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(MemoryCommand.Create());
        root.Subcommands.Add(ProvidersCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ToolsCommand.Create());
        root.Subcommands.Add(PromptsCommand.Create());
        root.Subcommands.Add(McpCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        RootCommand root = Create();
        Argument task = root.Arguments[0];
        args = HelpWords(root, args);
        ParseResult parsed = root.Parse(args);

        // A task argument takes any word, so an unknown flag would become part of the task: refuse it (after "--" it is text).
        int separator = Array.IndexOf(args, "--");
        string[] unknown = [.. parsed.Tokens
            .Where(token => token.Type == System.CommandLine.Parsing.TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && !double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
            .Select(token => token.Value)
            .Where(value => separator < 0 || Array.IndexOf(args, value) < separator)];
        if (parsed.Errors.Count > 0 || unknown.Length > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            foreach (string flag in unknown)
            {
                await Console.Error.WriteLineAsync($"error: unknown option '{flag}'.");
            }

            await Console.Error.WriteLineAsync("hint: `allos --help` lists the commands and flags.");
            return ExitCodes.Usage;
        }

        // A subcommand's help would list the root's task argument beside its own: hide it there (help only; parsing is done).
        if (parsed.CommandResult.Command != root)
        {
            task.Hidden = true;
        }

        if (parsed.CommandResult.Command == root && NotATask(root, parsed.GetValue<string[]>("task") ?? [], args, separator) is { } usage)
        {
            return await UsageErrorAsync(usage);
        }

        // Ctrl+C is ours (Interrupts: the first press cancels the turn, not the program). System.CommandLine's own handler
        // would also cancel and, two seconds later, end the process with 130, even though the turn was only cancelled.
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (AllosException ex)
        {
            // What a command did not report itself (a corrupt store under `sessions list`, for example): one line and a
            // hint, as everywhere else, never a stack trace.
            Output.ErrorReport.Write(new CliConsole(), ex, verbose: args.Contains("-v") || args.Contains("--verbose"));
            return Output.ErrorReport.ExitCode(ex);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            // A bug of ours: the whole exception, as System.CommandLine's own handler printed it.
            await Console.Error.WriteLineAsync($"Unhandled exception: {Security.SecretRedactor.Redact(ex.ToString())}");
            return ExitCodes.Failed;
        }
    }

    /// <summary><c>allos help [COMMAND…]</c> is <c>allos [COMMAND…] --help</c>; "help" followed by anything else is a task.</summary>
    private static string[] HelpWords(RootCommand root, string[] args)
    {
        if (args is not ["help", .. string[] rest])
        {
            return args;
        }

        Command command = root;
        foreach (string word in rest)
        {
            if (command.Subcommands.FirstOrDefault(sub => sub.Name == word) is not { } sub)
            {
                return args;
            }

            command = sub;
        }

        return [.. rest, "--help"];
    }

    /// <summary>
    /// A short "task" that is a misspelt command (<c>allos session list</c>, <c>allos stat</c>) is not sent to the model:
    /// the near miss is named instead. Words after <c>--</c> are always a task.
    /// </summary>
    private static string? NotATask(RootCommand root, string[] words, string[] args, int separator)
    {
        if (words.Length is 0 or > 3 || separator >= 0 && Array.IndexOf(args, words[0]) > separator)
        {
            return null;
        }

        return KeySuggestion.Nearest(words[0], root.Subcommands.Select(command => command.Name)) is { } near
            ? $"'{words[0]}' is not a command; did you mean `allos {near}`? To send it to the model as a task, put it after --: allos -- {string.Join(' ', words)}"
            : null;
    }

    private static async Task<int> UsageErrorAsync(string message)
    {
        await Console.Error.WriteLineAsync($"error: {message}");
        await Console.Error.WriteLineAsync("hint: `allos --help` lists the commands and flags.");
        return ExitCodes.Usage;
    }
}
