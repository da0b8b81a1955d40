using System.Text;
using System.Text.RegularExpressions;

namespace Allos.Agents.Guardrails;

/// <summary>Finds personal data and secrets in text and replaces them with <c>[redacted:KIND]</c> markers.</summary>
/// <remarks>Cards and keys come before phones, so a card number is never half taken for a phone number.</remarks>
internal static partial class SensitiveText
{
    private const int TimeoutMs = 250;

    /// <summary>Replaces what <paramref name="kinds"/> finds in <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="kinds">What to look for.</param>
    /// <param name="found">The kinds found, for a reason that names them without the text.</param>
    public static string Redact(string text, RedactionKinds kinds, out RedactionKinds found)
    {
        found = RedactionKinds.None;
        if (kinds.HasFlag(RedactionKinds.ApiKey))
        {
            text = Replace(ApiKeyPattern(), text, "api_key", RedactionKinds.ApiKey, ref found, valid: null);
            text = Replace(BearerPattern(), text, "api_key", RedactionKinds.ApiKey, ref found, valid: null, keepGroup: "scheme");
        }

        if (kinds.HasFlag(RedactionKinds.Card))
        {
            text = Replace(CardPattern(), text, "card", RedactionKinds.Card, ref found, PassesLuhn);
        }

        if (kinds.HasFlag(RedactionKinds.Email))
        {
            text = Replace(EmailPattern(), text, "email", RedactionKinds.Email, ref found, valid: null);
        }

        if (kinds.HasFlag(RedactionKinds.Phone))
        {
            text = Replace(PhonePattern(), text, "phone", RedactionKinds.Phone, ref found, IsPhoneLength);
        }

        return text;
    }

    /// <summary>Names the kinds, for a reason: <c>an email address and an API key</c>.</summary>
    public static string Describe(RedactionKinds kinds)
    {
        var names = new List<string>();
        if (kinds.HasFlag(RedactionKinds.Email))
        {
            names.Add("an email address");
        }

        if (kinds.HasFlag(RedactionKinds.Phone))
        {
            names.Add("a phone number");
        }

        if (kinds.HasFlag(RedactionKinds.Card))
        {
            names.Add("a card number");
        }

        if (kinds.HasFlag(RedactionKinds.ApiKey))
        {
            names.Add("an API key or token");
        }

        return names.Count <= 1 ? string.Concat(names) : string.Join(", ", names[..^1]) + " and " + names[^1];
    }

    /// <summary>The Luhn checksum every payment card number passes; a random 16-digit number fails it nine times in ten.</summary>
    internal static bool PassesLuhn(string candidate)
    {
        int sum = 0;
        int digits = 0;
        for (int i = candidate.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(candidate[i]))
            {
                continue;
            }

            int digit = candidate[i] - '0';
            if (digits % 2 == 1)
            {
                digit *= 2;
                digit -= digit > 9 ? 9 : 0;
            }

            sum += digit;
            digits++;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    private static bool IsPhoneLength(string candidate)
    {
        int digits = candidate.Count(char.IsAsciiDigit);
        return digits is >= 10 and <= 15;
    }

    private static string Replace(Regex pattern, string text, string marker, RedactionKinds kind, ref RedactionKinds found, Func<string, bool>? valid, string? keepGroup = null)
    {
        bool any = false;
        string result = pattern.Replace(text, match =>
        {
            if (valid is not null && !valid(match.Value))
            {
                return match.Value;
            }

            any = true;
            var replacement = new StringBuilder();
            if (keepGroup is not null)
            {
                replacement.Append(match.Groups[keepGroup].Value);
            }

            return replacement.Append("[redacted:").Append(marker).Append(']').ToString();
        });

        found |= any ? kind : RedactionKinds.None;
        return result;
    }

    [GeneratedRegex(@"(?<![\w-])(?:sk-ant-[A-Za-z0-9_-]{20,}|sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"(?<scheme>\bBearer\s+)[A-Za-z0-9._~+/=-]{16,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4})(?!\w)", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex PhonePattern();
}
