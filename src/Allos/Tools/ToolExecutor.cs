using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Allos.Providers;
using Allos.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Tools;

/// <summary>
/// Runs tool calls: validates the arguments against the tool's schema, runs the handler under its timeout and the
/// caller's cancellation, caps the result and turns every failure into an error result the model can read.
/// </summary>
/// <remarks>
/// Nothing a model can send (an unknown tool, malformed or invalid arguments, arguments that make the handler throw or
/// hang) escapes as an exception: each becomes an <see cref="ToolCallOutcome.Error"/> result whose text tells the model
/// what to fix. Only the caller's cancellation propagates, as <see cref="OperationCanceledException"/>.
/// Results are serialized deterministically (compact JSON, object keys in ordinal order), so the same result always
/// reads the same to the model and to prompt caches. Every result text (values, errors, denials) passes through
/// <see cref="SecretRedactor"/>: this is the one place every tool's output goes through, built-in, C# method or MCP.
/// A result of text and images (an MCP tool's picture, a C# tool's <see cref="DataContent"/>) stays a list of
/// <see cref="AIContent"/>: its text redacted and capped, its images passed through up to a size limit.
/// Thread-safe.
/// </remarks>
internal sealed class ToolExecutor(ToolExecutionOptions options)
{
    /// <summary>Relaxed escaping keeps non-ASCII text readable (and cheaper in tokens); the output goes to a model, not into HTML.</summary>
    private static readonly JsonWriterOptions CanonicalWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public ToolExecutionOptions Options { get; } = Validated(options);

    private ILogger Logger { get; } = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ToolExecutor>();

    /// <summary>Runs one call. <paramref name="tool"/> is <see langword="null"/> when the model named an unknown tool; <paramref name="availableTools"/> is listed then.</summary>
    public async Task<ToolCallResult> ExecuteAsync(Tool? tool, FunctionCallContent call, ToolContext context, IReadOnlyCollection<string> availableTools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(availableTools);
        cancellationToken.ThrowIfCancellationRequested();

        long started = Stopwatch.GetTimestamp();
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Logger.Arguments(call.Name, SecretRedactor.Redact(ArgumentsText(call)));
        }

        (object value, ToolCallOutcome outcome) = await RunAsync(tool, call, context, availableTools, cancellationToken).ConfigureAwait(false);
        object result;
        string logged;
        if (value is IReadOnlyList<AIContent> parts)
        {
            List<AIContent> limited = Limit(parts);
            logged = ToolResultMedia.Text(limited);

            // Every image too large: plain text again, like any other result.
            result = limited.Any(part => part is DataContent) ? limited : logged;
        }
        else
        {
            // Redacted before the cap, so a cut cannot leave the start of a secret that the marker would have replaced.
            string redacted = Cap(SecretRedactor.Redact((string)value), Options.MaxResultCharacters);
            result = redacted;
            logged = redacted;
        }

        TimeSpan duration = Stopwatch.GetElapsedTime(started);
        Logger.Called(call.Name, outcome, duration.TotalMilliseconds);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Logger.Result(call.Name, logged);
        }

        return new ToolCallResult(new FunctionResultContent(call.CallId, result), outcome, duration);
    }

    /// <summary>
    /// Text and images: each text part redacted, the text capped as a whole (the parts share
    /// <see cref="ToolExecutionOptions.MaxResultCharacters"/>), and an image larger than
    /// <see cref="ToolExecutionOptions.MaxResultImageBytes"/> replaced by a line that tells the model so.
    /// </summary>
    private List<AIContent> Limit(IReadOnlyList<AIContent> parts)
    {
        var limited = new List<AIContent>(parts.Count);
        int budget = Options.MaxResultCharacters;
        foreach (AIContent part in parts)
        {
            if (part is DataContent data)
            {
                limited.Add(data.Data.Length <= Options.MaxResultImageBytes ? data : new TextContent(ToolResultMedia.Describe(data,
                    $"not shown: larger than the {ToolResultMedia.Size(Options.MaxResultImageBytes)} limit for images in tool results")));
                continue;
            }

            string redacted = SecretRedactor.Redact(((TextContent)part).Text);
            string capped = Cap(redacted, budget);
            budget -= Math.Min(redacted.Length, budget);
            if (capped.Length > 0)
            {
                limited.Add(new TextContent(capped));
            }
        }

        return limited;
    }

    /// <summary>Runs several calls (in parallel when the options say so); the results come back in the calls' order.</summary>
    public async Task<IReadOnlyList<ToolCallResult>> ExecuteAllAsync(IReadOnlyList<(Tool? Tool, FunctionCallContent Call, ToolContext Context)> calls, IReadOnlyCollection<string> availableTools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(availableTools);

        var results = new ToolCallResult[calls.Count];
        if (!Options.Parallel || Options.MaxDegreeOfParallelism <= 1 || calls.Count <= 1)
        {
            for (int i = 0; i < calls.Count; i++)
            {
                results[i] = await ExecuteAsync(calls[i].Tool, calls[i].Call, calls[i].Context, availableTools, cancellationToken).ConfigureAwait(false);
            }

            return results;
        }

        using var gate = new SemaphoreSlim(Math.Max(Options.MaxDegreeOfParallelism, 1));
        var running = new Task[calls.Count];
        for (int i = 0; i < calls.Count; i++)
        {
            int index = i;

            // Task.Run, so a C# method tool that blocks synchronously does not hold up the calls after it.
            running[i] = Task.Run(async () =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    (Tool? tool, FunctionCallContent call, ToolContext context) = calls[index];
                    results[index] = await ExecuteAsync(tool, call, context, availableTools, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken);
        }

        // WhenAll waits for every call before it throws, so the gate outlives all of them.
        await Task.WhenAll(running).ConfigureAwait(false);
        return results;
    }

    /// <summary>The result for a call that was denied; the model reads "denied by the user" (or by policy) and why.</summary>
    public static ToolCallResult Denied(FunctionCallContent call, string reason) =>
        new(new FunctionResultContent(call.CallId, SecretRedactor.Redact($"Error: this call was denied by {reason}. Do not retry it; continue without it or ask the user.")), ToolCallOutcome.Denied, TimeSpan.Zero);

    /// <summary>The text a model reads for a tool's return value: strings as they are, everything else as canonical JSON.</summary>
    /// <exception cref="NotSupportedException">The value's type cannot be serialized with <see cref="AIJsonUtilities.DefaultOptions"/>.</exception>
    internal static string ResultToText(object? result)
    {
        switch (result)
        {
            case null:
                return "";
            case string text:
                return text;
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                return "";

            // C# method tools return their value serialized; a string comes back as a JSON string, which the model
            // should read without the quotes and escapes.
            case JsonElement { ValueKind: JsonValueKind.String } element:
                return element.GetString()!;
            case JsonElement element:
                return Canonical(element);
            case TextContent content:
                return content.Text;
            case IEnumerable<AIContent> contents when contents.All(c => c is TextContent):
                return string.Concat(contents.Select(c => ((TextContent)c).Text));
            default:
                return Canonical(JsonSerializer.SerializeToElement(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())));
        }
    }

    /// <summary>The arguments as the model sent them, for a Trace line; never throws.</summary>
    private static string ArgumentsText(FunctionCallContent call)
    {
        try
        {
            return WireContent.ArgumentsToElement(call.Arguments).GetRawText();
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            return "(not representable as JSON)";
        }
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters and says so on a last line.</summary>
    internal static string Cap(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        int shown = Math.Max(max, 0);
        if (shown > 0 && char.IsHighSurrogate(text[shown - 1]))
        {
            shown--; // Never split a surrogate pair.
        }

        return string.Concat(text.AsSpan(0, shown), string.Create(CultureInfo.InvariantCulture,
            $"\n[... output truncated: {shown:N0} of {text.Length:N0} characters shown ...]"));
    }

    /// <summary>The result as text, or as text and images (<see cref="ToolResultMedia.Parts"/>), not yet redacted or capped.</summary>
    private async Task<(object Value, ToolCallOutcome Outcome)> RunAsync(Tool? tool, FunctionCallContent call, ToolContext context, IReadOnlyCollection<string> availableTools, CancellationToken cancellationToken)
    {
        if (tool is null)
        {
            return (UnknownTool(call.Name, availableTools), ToolCallOutcome.Error);
        }

        if (call.Exception is not null)
        {
            // The codec could not parse what the model sent. The innermost message is the parser's, which says where
            // it went wrong; the outer one only says that it did.
            Exception problem = call.Exception;
            while (problem.InnerException is not null)
            {
                problem = problem.InnerException;
            }

            return ($"Error: the arguments for '{tool.Name}' could not be read: {problem.Message.TrimEnd()} Send the arguments as a JSON object that matches the tool's parameters.", ToolCallOutcome.Error);
        }

        IReadOnlyList<string> errors;
        try
        {
            errors = tool.ArgumentSchema.Validate(WireContent.ArgumentsToElement(call.Arguments));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            // Only arguments built in code (not parsed from the model) can hold values JSON cannot represent.
            return ($"Error: the arguments for '{tool.Name}' could not be read as JSON. Send the arguments as a JSON object that matches the tool's parameters.", ToolCallOutcome.Error);
        }

        if (errors.Count > 0)
        {
            return ($"Error: invalid arguments for '{tool.Name}': {string.Join("; ", errors)}. Fix the arguments and call the tool again.", ToolCallOutcome.Error);
        }

        TimeSpan timeout = tool.Timeout ?? Options.DefaultTimeout;
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            timeout = TimeSpan.Zero;
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        object? result;
        try
        {
            var arguments = new AIFunctionArguments(call.Arguments ?? new Dictionary<string, object?>())
            {
                Context = new Dictionary<object, object?> { [typeof(ToolContext)] = context },
                Services = context.Services,
            };

            // WaitAsync: a handler that ignores its token is abandoned at the deadline instead of hanging the run.
            // Task.Run: one that blocks before its first await (a synchronous C# method, an open(2) on a named pipe)
            // would otherwise hold this thread, and WaitAsync, with the deadline and the caller's cancellation, would never run.
            result = await Task.Run(() => tool.InvokeAsync(arguments, linked.Token).AsTask(), linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            string seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return ($"Error: '{tool.Name}' timed out after {seconds} s and was stopped. Try a smaller request, or another way.", ToolCallOutcome.Error);
        }
        catch (Exception e)
        {
            return (Failure(tool.Name, e), ToolCallOutcome.Error);
        }

        try
        {
            return (ToolResultMedia.Parts(result) ?? (object)ResultToText(result), ToolCallOutcome.Ok);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            string detail = Options.IncludeExceptionMessages ? " " + e.Message : "";
            return ($"Error: the result of '{tool.Name}' could not be serialized to JSON.{detail}", ToolCallOutcome.Error);
        }
    }

    private string Failure(string toolName, Exception exception)
    {
        // Reflection-invoked C# methods and Task.WhenAll wrap the exception that actually says what went wrong.
        while (true)
        {
            if (exception is TargetInvocationException { InnerException: { } inner })
            {
                exception = inner;
            }
            else if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                exception = aggregate.InnerExceptions[0];
            }
            else
            {
                break;
            }
        }

        // A ToolException is written for the model (a refused path, a missing file); other messages may be internals.
        return Options.IncludeExceptionMessages || exception is ToolException
            ? $"Error: {exception.Message}"
            : $"Error: '{toolName}' failed. Check the arguments, or try another way.";
    }

    private static string UnknownTool(string name, IReadOnlyCollection<string> availableTools)
    {
        string[] names = [.. availableTools.Order(StringComparer.Ordinal)];
        return names.Length == 0
            ? $"Error: unknown tool '{name}'. No tools are available."
            : $"Error: unknown tool '{name}'. Available tools: {string.Join(", ", names)}.";
    }

    /// <summary>Compact JSON with every object's keys in ordinal order, so equal values always read the same.</summary>
    private static string Canonical(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CanonicalWriter))
        {
            Write(writer, element);
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);

        static void Write(Utf8JsonWriter writer, JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (JsonProperty property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }
    }

    private static ToolExecutionOptions Validated(ToolExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, "options.MaxDegreeOfParallelism");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxResultCharacters, 1, "options.MaxResultCharacters");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxResultImageBytes, "options.MaxResultImageBytes");
        if (options.DefaultTimeout <= TimeSpan.Zero && options.DefaultTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultTimeout,
                "ToolExecutionOptions.DefaultTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }

        return options;
    }
}
