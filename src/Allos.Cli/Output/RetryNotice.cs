using System.Globalization;
using Allos.Gateway;

namespace Allos.Cli.Output;

/// <summary>The one status line printed before the Router retries a call: "rate limited, retrying in 6 s".</summary>
internal static class RetryNotice
{
    /// <summary>Returns the Router's retry hook; the line goes through the spinner's lock, so it never lands on the spinner's line.</summary>
    public static Func<OnRetryArguments, ValueTask> Create(TextWriter error) => arguments =>
    {
        Spinner.WriteLine(error, Text(arguments.Exception, arguments.Delay));
        return ValueTask.CompletedTask;
    };

    internal static string Text(Exception error, TimeSpan delay)
    {
        string why = error switch
        {
            RateLimitException => "rate limited",
            ProviderOverloadedException => "the provider is overloaded",
            ProviderServerException => "the provider had an error",
            ProviderTimeoutException => "the provider timed out",
            ProviderConnectionException => "the provider could not be reached",
            _ => "the call failed",
        };
        string wait = delay >= TimeSpan.FromSeconds(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(delay.TotalSeconds):0} s")
            : string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.0} s");
        return $"{why}, retrying in {wait}";
    }
}
