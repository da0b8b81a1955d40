using System.Globalization;

namespace Allos.Agents.Guardrails;

/// <summary>Stops a run whose input or answer is longer than a limit.</summary>
internal sealed class MaxLengthGuardrail : Guardrail
{
    private readonly int _max;

    public MaxLengthGuardrail(string name, GuardrailStage stage, int maxCharacters)
        : base(name, stage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        _max = maxCharacters;
    }

    public override ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(context.Text.Length <= _max
            ? GuardrailResult.Pass
            : GuardrailResult.Trip(string.Create(CultureInfo.InvariantCulture, $"the {Describe(context.Stage)} is {context.Text.Length} characters, over the limit of {_max}")));

    internal static string Describe(GuardrailStage stage) => stage == GuardrailStage.Input ? "input" : "answer";
}
