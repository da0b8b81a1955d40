using Allos.Prompts;
using Allos.Security;

namespace Allos.Cli.Output;

/// <summary>Turns an exception into one readable line, a hint, and (with <c>-v</c>) the details; and into an exit code.</summary>
internal static class ErrorReport
{
    public static int ExitCode(Exception error) => error switch
    {
        ConfigurationException or PromptException => ExitCodes.Configuration,
        OperationCanceledException => ExitCodes.Interrupted,
        _ => ExitCodes.Failed,
    };

    /// <summary>Reports what ended a command outside a turn (settings, store, a cancelled start) and returns its exit code.</summary>
    public static int Report(CliConsole console, Exception error, bool json, bool verbose)
    {
        if (error is OperationCanceledException)
        {
            console.Error.WriteLine("cancelled");
            return ExitCodes.Interrupted;
        }

        if (json)
        {
            JsonReport.Write(console.Out, null, "failed", null, null, [], error);
        }
        else
        {
            Write(console, error, verbose);
        }

        return ExitCode(error);
    }

    public static void Write(CliConsole console, Exception error, bool verbose)
    {
        string prefix = console.Colors ? "\u001b[31merror:\u001b[0m" : "error:";
        // Inner exceptions (sockets, files) are not AllosExceptions, whose messages redact themselves.
        console.Error.WriteLine($"{prefix} {OneLine(Message(error))}");
        if (Hint(error) is string hint)
        {
            console.Error.WriteLine($"hint: {hint}");
        }

        if (verbose)
        {
            console.Error.WriteLine(SecretRedactor.Redact(error.ToString()));
        }
        else if (error is not (ConfigurationException or PromptException))
        {
            console.Error.WriteLine("(run with -v for details)");
        }
    }

    internal static string? Hint(Exception error) => error switch
    {
        ConfigurationException { VariableName: { } variable } => $"set {variable} (in the environment, a .env file, or allos.yaml), then run again.",
        ConfigurationException => "check allos.yaml and the flags; `allos config show` prints the effective configuration.",
        PromptException { Line: not null } => "fix the prompt file at that line; `allos prompts list` checks every prompt file.",
        PromptException { Input: not null } => "`allos prompts show REF` lists the prompt's inputs and their types; give them with --var NAME=VALUE or --var-file vars.json.",
        PromptException => "`allos prompts list` shows the prompts there are, with their versions and labels.",
        StoreUnavailableException => $"the data folder is {AllosPaths.DataDirectory} ({DataFolderSource()}); set ALLOS_HOME to use another one.",
        ProviderAuthenticationException auth => $"check the API key for {auth.Provider}; `allos providers` shows where each key comes from.",
        RateLimitException => "wait and run again, or add fallbacks and rate limits in allos.yaml (`allos config init`).",
        QuotaExceededException quota => $"the {quota.Provider} account is out of credit or at a spending cap.",
        ContextWindowExceededException => "start a new session or /compact, or use a model with a larger context window.",
        BudgetExceededException => "raise the budget in allos.yaml or wait for the next period.",
        ProviderConnectionException or ProviderTimeoutException => "check the network and the provider's base URL (`allos providers`).",
        ProviderNotFoundException => "check the model name: `allos models` lists the known ones.",
        Mcp.McpServerException => "`allos mcp list` shows each MCP server's status; fix its command or url in allos.yaml or .mcp.json.",
        _ => null,
    };

    /// <summary>
    /// Library advice in an error, rewritten for the command line user, who sets flags, variables and
    /// <c>allos.yaml</c> keys, not <c>ChatClientOptions</c> or <c>ProviderRegistry</c>.
    /// </summary>
    private static readonly (string Library, string Cli)[] CliWording =
    [
        (", or pass ChatClientOptions.ApiKey.", "."),
        (", or pass ChatClientOptions.Endpoint.", "."),
        ("Register your own with ProviderRegistry.Register, or set AI_PROVIDER to send the whole id to one provider.",
            "`allos providers` lists them; set AI_PROVIDER to send the whole id to one provider."),
        ("Set ChatOptions.ModelId to an alias or model id, use Router.For(alias), or set RouterOptions.DefaultModel.",
            "Pass --model, or set default_model in allos.yaml."),
        ("List them with SessionManager.ListAsync (or `allos sessions list`).", "List them with `allos sessions list`."),
        ("the runner has no DefaultModel; set one, or give the runner a ChatClient.", "no model was chosen: pass --model, or give the agent a model: in agents.yaml."),
        ("the runner has no DefaultModel.", "no model was chosen: pass --model, or give the agent a model: in agents.yaml."),
        ("ChatClientOptions.StreamIdleTimeout", "The stream idle timeout"),
        ("ChatClientOptions.Timeout", "The request timeout"),
    ];

    /// <summary>The message a CLI user reads for <paramref name="error"/>: secrets redacted, library advice in CLI terms.</summary>
    public static string Message(Exception error)
    {
        string message = SecretRedactor.Redact(error.Message);
        foreach ((string library, string cli) in CliWording)
        {
            message = message.Replace(library, cli, StringComparison.Ordinal);
        }

        return message;
    }

    private static string OneLine(string message)
    {
        string flat = message.ReplaceLineEndings(" ");
        return flat.Length <= 400 ? flat : flat[..400] + "…";
    }

    private static string DataFolderSource() =>
        Settings.DataFolder.Variable is { } variable ? $"from {variable}" : "the default; ALLOS_HOME or XDG_DATA_HOME move it";
}
