using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Allos.Cli.Admin;
using Allos.Cli.Output;
using Allos.Storage;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos stats [--by model|provider|day|key|team|user] [--since 30d]</c>: tokens and cost of the model calls the Router recorded.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var by = new Option<string>("--by") { Description = "Group by model (default), provider, day (UTC), or the gateway's key (alias, else hash prefix), team or user", DefaultValueFactory = _ => "model" };
        by.AcceptOnlyFromAmong("model", "provider", "day", "key", "team", "user");
        var since = new Option<string>("--since") { Description = $"Count calls since: {SinceParser.Help} (default 30d)", DefaultValueFactory = _ => "30d" };
        var json = new Option<bool>("--json") { Description = "Print the rows as one JSON object" };
        var command = new Command("stats", "Tokens and cost of model calls, per model, provider, day, gateway key, team or user (a bar chart on a terminal)") { by, since, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string sinceText = result.GetValue(since)!;
            if (!SinceParser.TryParse(sinceText, DateTimeOffset.UtcNow, out DateTimeOffset? from))
            {
                console.Error.WriteLine($"error: --since '{sinceText}' is not a time.");
                console.Error.WriteLine($"hint: use {SinceParser.Help}.");
                return ExitCodes.Usage;
            }

            string group = result.GetValue(by)!;
            StatsGrouping grouping = group switch
            {
                "provider" => StatsGrouping.Provider,
                "day" => StatsGrouping.Day,
                "key" => StatsGrouping.Key,
                "team" => StatsGrouping.Team,
                "user" => StatsGrouping.User,
                _ => StatsGrouping.Model,
            };

            IReadOnlyList<UsageStats> rows;
            await using (AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken))
            {
                rows = await store.Store.Telemetry.StatsAsync(grouping, from, cancellationToken);
            }

            // Days read best in order; models and providers come largest cost first.
            if (grouping == StatsGrouping.Day)
            {
                rows = [.. rows.OrderBy(row => row.Key, StringComparer.Ordinal)];
            }

            UsageStats total = Total(rows);
            if (result.GetValue(json))
            {
                WriteJson(console.Out, group, from, rows, total);
                return ExitCodes.Success;
            }

            string period = from is DateTimeOffset start ? $"since {start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "ever";
            if (rows.Count == 0)
            {
                console.Error.WriteLine($"No model calls {period}. Calls are recorded by `allos run`, `allos chat` and `allos serve`; try --since all.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns(group, "calls", "failed", "input tokens", "output tokens", "cached", "cost (USD)");
            table.Columns[0].NoWrap();
            foreach (int column in new[] { 1, 2, 3, 4, 5 })
            {
                table.Columns[column].RightAligned();
            }

            foreach (UsageStats row in rows)
            {
                table.AddRow(Cells(row, Markup.Escape(row.Key.Length == 0 ? "(none)" : row.Key)));
            }

            table.AddRow(Cells(total, "[bold]total[/]"));
            table.Caption($"model calls {period}");
            console.RichOut.Write(table);
            if (console.OutputIsTerminal)
            {
                console.RichOut.WriteLine();
                console.RichOut.Write(Chart(rows));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string[] Cells(UsageStats row, string key) =>
    [
        key,
        row.Calls.ToString("N0", CultureInfo.InvariantCulture),
        row.FailedCalls.ToString("N0", CultureInfo.InvariantCulture),
        row.InputTokens.ToString("N0", CultureInfo.InvariantCulture),
        row.OutputTokens.ToString("N0", CultureInfo.InvariantCulture),
        row.CachedInputTokens.ToString("N0", CultureInfo.InvariantCulture),
        Markup.Escape(Cost(row)),
    ];

    /// <summary>Formats a group's cost; calls of unknown cost (a model without a known price) are counted beside it, never as 0.</summary>
    private static string Cost(UsageStats row)
    {
        string known = row.Cost is decimal cost ? Money.Amount(cost) : "?";
        return row.UnknownCostCalls > 0 && row.Cost is not null
            ? $"{known} (+{row.UnknownCostCalls} unknown)"
            : known;
    }

    private static UsageStats Total(IReadOnlyList<UsageStats> rows) => new(
        "total",
        rows.Sum(row => row.Calls),
        rows.Sum(row => row.InputTokens),
        rows.Sum(row => row.OutputTokens),
        rows.Sum(row => row.CachedInputTokens),
        rows.Sum(row => row.ReasoningTokens),
        rows.Any(row => row.Cost is not null) ? rows.Sum(row => row.Cost ?? 0) : null,
        rows.Sum(row => row.UnknownCostCalls),
        rows.Sum(row => row.CacheHits),
        rows.Sum(row => row.Retries),
        rows.Sum(row => row.Fallbacks),
        rows.Sum(row => row.FailedCalls));

    /// <summary>Bars of cost, or of tokens when no cost is known (models without a price).</summary>
    private static BarChart Chart(IReadOnlyList<UsageStats> rows)
    {
        bool costs = rows.Any(row => row.Cost is > 0);
        var chart = new BarChart().Width(72).Label(costs ? "[bold]cost (USD)[/]" : "[bold]tokens (input + output)[/]");
        Color[] colors = [Color.Blue, Color.Green, Color.Yellow, Color.Aqua, Color.Fuchsia, Color.Orange1];
        int index = 0;
        foreach (UsageStats row in rows)
        {
            double value = costs ? (double)(row.Cost ?? 0) : row.InputTokens + row.OutputTokens;
            chart.AddItem(Markup.Escape(row.Key.Length == 0 ? "(none)" : row.Key), value, colors[index++ % colors.Length]);
        }

        return costs ? chart.UseValueFormatter((value, _) => Money.Amount((decimal)value)) : chart;
    }

    private static void WriteJson(TextWriter output, string group, DateTimeOffset? since, IReadOnlyList<UsageStats> rows, UsageStats total)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("by", group);
            if (since is DateTimeOffset start)
            {
                json.WriteString("since", start);
            }
            else
            {
                json.WriteNull("since");
            }

            json.WriteStartArray("rows");
            foreach (UsageStats row in rows)
            {
                WriteRow(json, row, "key");
            }

            json.WriteEndArray();
            json.WritePropertyName("total");
            WriteRow(json, total, null);
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteRow(Utf8JsonWriter json, UsageStats row, string? keyName)
    {
        json.WriteStartObject();
        if (keyName is not null)
        {
            json.WriteString(keyName, row.Key);
        }

        json.WriteNumber("calls", row.Calls);
        json.WriteNumber("input_tokens", row.InputTokens);
        json.WriteNumber("output_tokens", row.OutputTokens);
        json.WriteNumber("cached_input_tokens", row.CachedInputTokens);
        json.WriteNumber("reasoning_tokens", row.ReasoningTokens);
        if (row.Cost is decimal cost)
        {
            json.WriteNumber("cost_usd", cost);
        }
        else
        {
            json.WriteNull("cost_usd");
        }

        json.WriteNumber("failed_calls", row.FailedCalls);
        json.WriteNumber("unknown_cost_calls", row.UnknownCostCalls);
        json.WriteNumber("cache_hits", row.CacheHits);
        json.WriteEndObject();
    }
}
