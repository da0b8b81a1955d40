namespace Allos.Agents.Guardrails;

/// <summary>What a guardrail decided: pass, trip (stop the run) or redact (go on with new text).</summary>
public sealed class GuardrailResult
{
    private GuardrailResult(GuardrailVerdict verdict, string? reason, string? text)
    {
        Verdict = verdict;
        Reason = reason;
        Text = text;
    }

    /// <summary>Gets the result of a check that found nothing.</summary>
    public static GuardrailResult Pass { get; } = new(GuardrailVerdict.Pass, null, null);

    /// <summary>Gets the decision.</summary>
    public GuardrailVerdict Verdict { get; }

    /// <summary>Gets why the guardrail tripped (<see cref="GuardrailVerdict.Trip"/>).</summary>
    public string? Reason { get; }

    /// <summary>Gets the text to go on with (<see cref="GuardrailVerdict.Redact"/>).</summary>
    public string? Text { get; }

    /// <summary>Stops the run.</summary>
    /// <param name="reason">Why, in words a user can act on. It is shown, stored and returned: never put the offending text itself in it.</param>
    public static GuardrailResult Trip(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(GuardrailVerdict.Trip, reason, null);
    }

    /// <summary>Goes on with <paramref name="text"/> in place of the checked text.</summary>
    public static GuardrailResult Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(GuardrailVerdict.Redact, null, text);
    }
}
