using System.Globalization;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Chat;

/// <summary>What this chat (this process) has spent: turns, tokens and cost, for <c>/cost</c>.</summary>
internal sealed class ChatTotals
{
    public int Turns { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public decimal Cost { get; private set; }

    /// <summary>Gets whether some call spent tokens on a model whose price is unknown (so <see cref="Cost"/> is a lower bound).</summary>
    public bool Unpriced { get; private set; }

    public void Add(UsageDetails? usage, decimal? cost, bool turn)
    {
        Turns += turn ? 1 : 0;
        InputTokens += usage?.InputTokenCount ?? 0;
        OutputTokens += usage?.OutputTokenCount ?? 0;
        if (cost is decimal value)
        {
            Cost += value;
        }
        else if ((usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0) > 0)
        {
            Unpriced = true;
        }
    }

    public override string ToString() =>
        $"{Tokens(InputTokens, OutputTokens)} · {Output.Money.Format(Cost)}{(Unpriced ? " (some calls at an unknown price)" : "")}";

    public static string Tokens(long input, long output) => string.Create(CultureInfo.InvariantCulture, $"{input:N0} in · {output:N0} out");

}
