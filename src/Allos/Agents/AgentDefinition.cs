using Allos.Agents.Guardrails;
using Allos.Memory;
using Allos.Prompts;
using Allos.Tools;

namespace Allos.Agents;

/// <summary>An agent: who it is, what it may use, and how freely. Runs on any model through an <see cref="AgentRunner"/>.</summary>
public sealed class AgentDefinition
{
    /// <summary>Gets or sets the name (letters, digits, <c>_</c>, <c>-</c>); handoff tools are called <c>transfer_to_NAME</c>.</summary>
    public required string Name { get; set; }

    /// <summary>Gets or sets what the agent is for; other agents read it when deciding to hand off.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Gets or sets the system instructions. <c>{{name}}</c> in them is filled from the run variables
    /// (<see cref="RunOptions.Variables"/>) when a run starts, with the prompt templates' engine; text without <c>{{</c> is
    /// sent as written.
    /// </summary>
    /// <remarks>
    /// A variable the instructions use that the run does not give fails the run before any model call. Values are
    /// inserted as text: a value holding <c>{{…}}</c> is sent as written, never read as template syntax.
    /// </remarks>
    public string? Instructions { get; set; }

    /// <summary>
    /// Gets or sets the prompt template the instructions come from (<c>prompt: name@label</c> in <c>agents.yaml</c>): its
    /// system sections, rendered with the run variables its inputs declare when a run starts. Its front matter's model,
    /// sampling and output limit apply where this agent sets none, and every call is recorded against the prompt's name
    /// and version. Set this or <see cref="Instructions"/>, not both. Default: <see langword="null"/>.
    /// </summary>
    /// <remarks>Only the system sections are used: the user's input is the run's, so user sections and examples are not sent.</remarks>
    public PromptTemplate? Prompt { get; set; }

    /// <summary>Gets or sets the model id (<c>provider/model</c> or an alias); default: the <see cref="Prompt"/>'s model, else the runner's default model.</summary>
    public string? Model { get; set; }

    /// <summary>Gets the tool and group names the agent may use (<c>files</c>, <c>read_file</c>, …).</summary>
    public IList<string> Tools { get; init; } = [];

    /// <summary>Gets the names of the agents this one may hand the conversation to.</summary>
    public IList<string> Handoffs { get; init; } = [];

    /// <summary>Gets or sets the autonomy level; default: the run's, else <see cref="AutonomyLevel.Supervised"/>.</summary>
    public AutonomyLevel? Autonomy { get; set; }

    /// <summary>Gets permission overrides by tool name for this agent.</summary>
    public IDictionary<string, ToolPermission> ToolPermissions { get; init; } = new Dictionary<string, ToolPermission>(StringComparer.Ordinal);

    /// <summary>Gets or sets how many model calls one run may make before it stops with <see cref="RunStatus.MaxIterations"/>. Default: 20.</summary>
    public int MaxIterations { get; set; } = 20;

    /// <summary>Gets or sets the sampling temperature.</summary>
    public float? Temperature { get; set; }

    /// <summary>Gets or sets the output token limit per model call.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets the tool choice: <c>auto</c> (default), <c>none</c>, <c>required</c>, or a tool name to force.</summary>
    public string? ToolChoice { get; set; }

    /// <summary>
    /// Gets or sets what the agent recalls of the user's earlier sessions when it starts a run: <see cref="MemoryMode.Recall"/>
    /// needs <see cref="AgentRunnerOptions.Memory"/>. <see cref="RunOptions.Memory"/> overrides it for one run.
    /// </summary>
    public MemoryMode Memory { get; set; }

    /// <summary>
    /// Gets the checks on the run's input (when this agent starts the run) and on this agent's final answer
    /// (<c>guardrails:</c> in <c>agents.yaml</c>); see <see cref="Guardrail"/> for when each runs.
    /// </summary>
    /// <remarks>
    /// With output guardrails, the agent's text is not streamed as it is written: each model turn's events are released when
    /// the turn ends, and the final answer's only once the output guardrails passed, so a stopped answer is never shown or stored.
    /// </remarks>
    public IList<Guardrail> Guardrails { get; init; } = [];
}
