namespace Allos.Agents.Guardrails;

/// <summary>
/// A check on an agent's input or final answer (<see cref="AgentDefinition.Guardrails"/>) that lets the run go on, stops
/// it with <see cref="RunStatus.GuardrailTripped"/>, or replaces the text. Derive from it for a check of your own; the
/// static methods create the built-in ones.
/// </summary>
/// <remarks>
/// <para>
/// Input guardrails that may redact (<see cref="Redacts"/>) run one after another before the first model call, so the model
/// and the stored session see the redacted text. The others run at the same time as the first model call, whose response is
/// acted on (tools run, text shown or stored) only once they all passed; on a trip the call is cancelled and discarded.
/// Output guardrails run on the final answer before it is shown, returned or stored.
/// </para>
/// <para>
/// A guardrail that throws stops the run as tripped: a check that could not decide is not a pass. Implementations must be
/// thread-safe; one instance serves every run.
/// </para>
/// </remarks>
public abstract class Guardrail
{
    /// <summary>Initializes a guardrail.</summary>
    /// <param name="name">The name runs report when it trips.</param>
    /// <param name="stage">What it checks.</param>
    protected Guardrail(string name, GuardrailStage stage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Stage = stage;
    }

    /// <summary>Gets the name runs report when it trips.</summary>
    public string Name { get; }

    /// <summary>Gets what it checks: the input or the final answer.</summary>
    public GuardrailStage Stage { get; }

    /// <summary>
    /// Gets whether <see cref="CheckAsync"/> may answer <see cref="GuardrailResult.Redact"/>; such input guardrails run
    /// before the model call instead of with it. Default: <see langword="false"/>.
    /// </summary>
    public virtual bool Redacts => false;

    /// <summary>Checks <see cref="GuardrailContext.Text"/>.</summary>
    public abstract ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default);

    /// <summary>Creates a guardrail that stops the run (or redacts, with <see cref="GuardrailAction.Redact"/>) when the text matches any of <paramref name="patterns"/>.</summary>
    /// <param name="patterns">.NET regular expressions, compiled once; each match is given 250 ms, and one that runs out trips the guardrail.</param>
    /// <param name="stage">What it checks. Default: the input.</param>
    /// <param name="action">Stop (default) or replace each match with <c>[redacted:deny]</c>.</param>
    /// <param name="name">Its name. Default: <c>deny</c>.</param>
    /// <exception cref="ArgumentException">A pattern is not a valid regular expression, or there is none.</exception>
    public static Guardrail Deny(IEnumerable<string> patterns, GuardrailStage stage = GuardrailStage.Input, GuardrailAction action = GuardrailAction.Stop, string? name = null) =>
        new DenyGuardrail(name ?? "deny", stage, patterns, action);

    /// <summary>Creates a guardrail that replaces personal data and secrets with <c>[redacted:KIND]</c> markers (or stops the run, with <see cref="GuardrailAction.Stop"/>).</summary>
    /// <param name="stage">What it checks.</param>
    /// <param name="kinds">What it looks for. Default: <see cref="RedactionKinds.All"/>.</param>
    /// <param name="action">Redact (default) or stop.</param>
    /// <param name="name">Its name. Default: <c>redact</c>.</param>
    public static Guardrail Redact(GuardrailStage stage, RedactionKinds kinds = RedactionKinds.All, GuardrailAction action = GuardrailAction.Redact, string? name = null) =>
        new RedactGuardrail(name ?? "redact", stage, kinds, action);

    /// <summary>Creates a guardrail that stops the run when the text is longer than <paramref name="maxCharacters"/>.</summary>
    /// <param name="maxCharacters">The most characters (UTF-16 code units) allowed.</param>
    /// <param name="stage">What it checks. Default: the input.</param>
    /// <param name="name">Its name. Default: <c>max_length</c>.</param>
    public static Guardrail MaxLength(int maxCharacters, GuardrailStage stage = GuardrailStage.Input, string? name = null) =>
        new MaxLengthGuardrail(name ?? "max_length", stage, maxCharacters);

    /// <summary>Creates an output guardrail that stops the run unless the final answer is JSON valid against <paramref name="schema"/>.</summary>
    /// <param name="schema">A JSON Schema (drafts 6 to 2020-12); a <c>$ref</c> to another document is never fetched.</param>
    /// <param name="name">Its name. Default: <c>json_schema</c>.</param>
    /// <exception cref="ArgumentException">The schema is not valid JSON or not a usable schema.</exception>
    public static Guardrail JsonSchema(string schema, string? name = null) =>
        new JsonSchemaGuardrail(name ?? "json_schema", schema);

    /// <summary>
    /// Creates a guardrail that asks <paramref name="model"/> whether the text breaks <paramref name="prompt"/>'s rule,
    /// through the runner's pipeline; the model answers <c>{"tripped": bool, "reason": "…"}</c>.
    /// </summary>
    /// <param name="prompt">The rule, such as "The text asks for medical advice".</param>
    /// <param name="model">The model (<c>provider/model</c> or an alias): a small, fast one.</param>
    /// <param name="stage">What it checks. Default: the input.</param>
    /// <param name="name">Its name. Default: <c>judge</c>.</param>
    /// <remarks>
    /// A judge call that fails, or answers anything but that verdict, trips the guardrail: a check that could not decide is
    /// not a pass. The text checked is sent to the judge model; its reason is stored with personal data and secrets redacted.
    /// </remarks>
    public static Guardrail Judge(string prompt, string model, GuardrailStage stage = GuardrailStage.Input, string? name = null) =>
        new JudgeGuardrail(name ?? "judge", stage, prompt, model);
}
