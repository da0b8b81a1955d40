namespace Allos.Agents.Guardrails;

/// <summary>What a redacting guardrail looks for; each kind found is replaced with <c>[redacted:KIND]</c>.</summary>
[Flags]
public enum RedactionKinds
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Email addresses (<c>[redacted:email]</c>).</summary>
    Email = 1,

    /// <summary>Phone numbers written with a leading <c>+</c> and country code, or as North American ten-digit numbers (<c>[redacted:phone]</c>).</summary>
    Phone = 2,

    /// <summary>Payment card numbers of 13 to 19 digits, spaces or dashes between them, that pass the Luhn check (<c>[redacted:card]</c>).</summary>
    Card = 4,

    /// <summary>
    /// API keys and tokens: OpenAI (<c>sk-…</c>), Anthropic (<c>sk-ant-…</c>), AWS access keys (<c>AKIA…</c>), GitHub
    /// (<c>ghp_…</c> and kin), Slack (<c>xox…</c>), Google (<c>AIza…</c>) and <c>Bearer</c> tokens (<c>[redacted:api_key]</c>).
    /// </summary>
    ApiKey = 8,

    /// <summary>Every kind.</summary>
    All = Email | Phone | Card | ApiKey,
}
