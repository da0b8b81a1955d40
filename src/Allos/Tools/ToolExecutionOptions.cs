using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos.Tools;

/// <summary>How tool calls are run.</summary>
public sealed class ToolExecutionOptions
{
    /// <summary>Gets or sets a value indicating whether the independent calls of one model turn run in parallel. Default: true.</summary>
    public bool Parallel { get; set; } = true;

    /// <summary>Gets or sets how many calls run at once when <see cref="Parallel"/> is on. Default: 4.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 4;

    /// <summary>Gets or sets the timeout of a call whose tool sets none. Default: 2 minutes.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the longest result sent back to the model, in characters; longer ones are cut with a marker. Default: 30,000.</summary>
    public int MaxResultCharacters { get; set; } = 30_000;

    /// <summary>
    /// Gets or sets the largest image (decoded bytes) a tool result may send to the model; a larger one is replaced by a
    /// line telling the model its type and size. Default: 5 MB (5,242,880 bytes), Anthropic's limit for one image.
    /// </summary>
    public long MaxResultImageBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// Gets or sets a value indicating whether the messages of unexpected handler exceptions reach the model. Default:
    /// false, as they may hold internals; a <see cref="ToolException"/>'s message (written for the model) always does,
    /// and the exception type and stack never do.
    /// </summary>
    public bool IncludeExceptionMessages { get; set; }

    /// <summary>
    /// Gets or sets where each call is logged (tool, outcome and duration at <see cref="LogLevel.Debug"/>; its arguments
    /// and result, redacted, only at <see cref="LogLevel.Trace"/>). Default: <see cref="NullLoggerFactory.Instance"/>.
    /// </summary>
    /// <remarks>Arguments and results are what a model sent and read: enable Trace only where those may be kept.</remarks>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
