using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>
/// Runs tool calls: validates the arguments against the tool's schema, runs the handler under its timeout and the
/// caller's cancellation, caps the result and turns every failure into an error result the model can read.
/// PLACEHOLDER: replaced by the executor branch.
/// </summary>
internal sealed class ToolExecutor(ToolExecutionOptions options)
{
    public ToolExecutionOptions Options { get; } = options;

    /// <summary>Runs one call. <paramref name="tool"/> is <see langword="null"/> when the model named an unknown tool; <paramref name="availableTools"/> is listed then.</summary>
    public Task<ToolCallResult> ExecuteAsync(Tool? tool, FunctionCallContent call, ToolContext context, IReadOnlyCollection<string> availableTools, CancellationToken cancellationToken) =>
        throw new NotSupportedException("placeholder");

    /// <summary>Runs several calls (in parallel when the options say so); the results come back in the calls' order.</summary>
    public Task<IReadOnlyList<ToolCallResult>> ExecuteAllAsync(IReadOnlyList<(Tool? Tool, FunctionCallContent Call, ToolContext Context)> calls, IReadOnlyCollection<string> availableTools, CancellationToken cancellationToken) =>
        throw new NotSupportedException("placeholder");

    /// <summary>The result for a call that was denied; the model reads "denied by the user" (or by policy) and why.</summary>
    public static ToolCallResult Denied(FunctionCallContent call, string reason) =>
        new(new FunctionResultContent(call.CallId, $"Error: this call was denied by {reason}. Do not retry it; continue without it or ask the user."), ToolCallOutcome.Denied, TimeSpan.Zero);
}
