namespace Allos.Agents.Guardrails;

/// <summary>Replaces personal data and secrets with markers, or stops the run when it finds any.</summary>
internal sealed class RedactGuardrail(string name, GuardrailStage stage, RedactionKinds kinds, GuardrailAction action) : Guardrail(name, stage)
{
    public override bool Redacts => action == GuardrailAction.Redact;

    public override ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        GuardrailResult result;
        try
        {
            string redacted = SensitiveText.Redact(context.Text, kinds, out RedactionKinds found);
            result = found == RedactionKinds.None ? GuardrailResult.Pass
                : action == GuardrailAction.Redact ? GuardrailResult.Redact(redacted)
                : GuardrailResult.Trip($"the {MaxLengthGuardrail.Describe(context.Stage)} contains {SensitiveText.Describe(found)}");
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            result = GuardrailResult.Trip("the text took too long to scan for personal data");
        }

        return ValueTask.FromResult(result);
    }
}
