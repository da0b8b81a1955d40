using System.Globalization;
using System.Text.RegularExpressions;

namespace Allos.Agents.Guardrails;

/// <summary>Stops (or redacts) text that matches a deny list of regular expressions.</summary>
internal sealed class DenyGuardrail : Guardrail
{
    /// <summary>A pattern that backtracks without end must not hang the run.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private readonly Regex[] _patterns;
    private readonly GuardrailAction _action;

    public DenyGuardrail(string name, GuardrailStage stage, IEnumerable<string> patterns, GuardrailAction action)
        : base(name, stage)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _action = action;
        _patterns = [.. patterns.Select((pattern, i) => Compile(name, pattern, i + 1))];
        if (_patterns.Length == 0)
        {
            throw new ArgumentException($"Guardrail '{name}' has no patterns; give it at least one regular expression.", nameof(patterns));
        }
    }

    public override bool Redacts => _action == GuardrailAction.Redact;

    public override ValueTask<GuardrailResult> CheckAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        string text = context.Text;
        for (int i = 0; i < _patterns.Length; i++)
        {
            try
            {
                if (_action == GuardrailAction.Redact)
                {
                    text = _patterns[i].Replace(text, "[redacted:deny]");
                }
                else if (_patterns[i].IsMatch(text))
                {
                    // The pattern's number, not the match: the matched text may be the very thing to keep out of logs.
                    return ValueTask.FromResult(GuardrailResult.Trip(string.Create(CultureInfo.InvariantCulture, $"the {MaxLengthGuardrail.Describe(context.Stage)} matches deny pattern {i + 1}")));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return ValueTask.FromResult(GuardrailResult.Trip(string.Create(CultureInfo.InvariantCulture, $"deny pattern {i + 1} took too long to match; simplify it")));
            }
        }

        return ValueTask.FromResult(ReferenceEquals(text, context.Text) || text == context.Text ? GuardrailResult.Pass : GuardrailResult.Redact(text));
    }

    private static Regex Compile(string name, string pattern, int number)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Deny pattern {number} of guardrail '{name}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }
    }
}
