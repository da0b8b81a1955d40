using System.CommandLine;
using System.Globalization;
using Allos.Models;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary><c>allos models [FILTER]</c>: the catalog, with context window, output limit, prices and capabilities.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var filter = new Argument<string?>("filter") { Arity = ArgumentArity.ZeroOrOne, Description = "Show only models whose id contains this text" };
        var command = new Command("models", "Known models: context window, prices (USD per million tokens), capabilities") { filter };
        command.SetAction(result =>
        {
            var console = new CliConsole();
            string? text = result.GetValue(filter);
            ModelInfo[] models = [.. ModelCatalog.Default.Models.Where(model => text is null || model.Id.Contains(text, StringComparison.OrdinalIgnoreCase))];
            if (models.Length == 0)
            {
                console.Error.WriteLine($"No model in the catalog matches '{text}'. Any provider/model id still works; unknown models get conservative limits and an unknown cost.");
                return ExitCodes.Failed;
            }

            var table = new Table().AddColumns("model", "context", "max output", "input $/M", "output $/M", "cached $/M", "capabilities");
            foreach (ModelInfo model in models)
            {
                table.AddRow(
                    Markup.Escape(model.Id),
                    model.ContextWindow.ToString("N0", CultureInfo.InvariantCulture),
                    model.MaxOutputTokens.ToString("N0", CultureInfo.InvariantCulture),
                    Price(model.Pricing?.Input),
                    Price(model.Pricing?.Output),
                    Price(model.Pricing?.CachedInput),
                    Markup.Escape(Capabilities(model.Capabilities)));
            }

            console.RichOut.Write(table);
            if (ModelCatalog.Default.PricesAsOf is string asOf)
            {
                console.Error.WriteLine($"prices as of {asOf}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Price(decimal? price) => price is decimal value ? value.ToString("0.###", CultureInfo.InvariantCulture) : "?";

    private static string Capabilities(ModelCapabilities capabilities) =>
        string.Join(" ", new[]
        {
            capabilities.Tools ? "tools" : null,
            capabilities.Vision ? "vision" : null,
            capabilities.Reasoning ? "reasoning" : null,
            capabilities.JsonSchema ? "json-schema" : null,
        }.OfType<string>());
}
