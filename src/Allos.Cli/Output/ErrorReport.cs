using Allos.Security;

namespace Allos.Cli.Output;

/// <summary>Turns an exception into one readable line, a hint, and (with <c>-v</c>) the details; and into an exit code.</summary>
internal static class ErrorReport
{
    public static int ExitCode(Exception error) => error switch
    {
        ConfigurationException => ExitCodes.Configuration,
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
        console.Error.WriteLine($"{prefix} {OneLine(SecretRedactor.Redact(error.Message))}");
        if (Hint(error) is string hint)
        {
            console.Error.WriteLine($"hint: {hint}");
        }

        if (verbose)
        {
            console.Error.WriteLine(SecretRedactor.Redact(error.ToString()));
        }
        else if (error is not ConfigurationException)
        {
            console.Error.WriteLine("(run with -v for details)");
        }
    }

    internal static string? Hint(Exception error) => error switch
    {
        ConfigurationException { VariableName: { } variable } => $"set {variable} (in the environment, a .env file, or allos.yaml), then run again.",
        ConfigurationException => "check allos.yaml and the flags; `allos config show` prints the effective configuration.",
        StoreUnavailableException => $"the data folder is {Configuration.AllosPaths.DataDirectory} ({DataFolderSource()}); set ALLOS_HOME to use another one.",
        ProviderAuthenticationException auth => $"check the API key for {auth.Provider}; `allos providers` shows where each key comes from.",
        RateLimitException => "wait and run again, or add fallbacks and rate limits in allos.yaml (`allos config init`).",
        QuotaExceededException quota => $"the {quota.Provider} account is out of credit or at a spending cap.",
        ContextWindowExceededException => "start a new session or /compact, or use a model with a larger context window.",
        BudgetExceededException => "raise the budget in allos.yaml or wait for the next period.",
        ProviderConnectionException or ProviderTimeoutException => "check the network and the provider's base URL (`allos providers`).",
        ProviderNotFoundException => "check the model name: `allos models` lists the known ones.",
        _ => null,
    };

    private static string OneLine(string message)
    {
        string flat = message.ReplaceLineEndings(" ");
        return flat.Length <= 400 ? flat : flat[..400] + "…";
    }

    private static string DataFolderSource() =>
        Settings.DataFolder.Variable is { } variable ? $"from {variable}" : "the default; ALLOS_HOME or XDG_DATA_HOME move it";
}
