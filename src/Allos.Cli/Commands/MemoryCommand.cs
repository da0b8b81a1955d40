using System.CommandLine;
using Allos.Cli.Admin;
using Allos.Memory;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Commands;

/// <summary><c>allos memory search TEXT</c>: the context message <c>memory: recall</c> would add before a run on TEXT.</summary>
internal static class MemoryCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("text") { Arity = ArgumentArity.OneOrMore, Description = "The task or question a run would start with" };
        var budget = new Option<int>("--budget") { HelpName = "TOKENS", Description = "Most tokens recalled (default 1000)", DefaultValueFactory = _ => 1_000 };
        var search = new Command("search", "Show what memory: recall would add from earlier sessions before a run on TEXT") { text, budget };
        search.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string input = string.Join(' ', result.GetValue(text) ?? []).Trim();
            if (input.Length == 0)
            {
                console.Error.WriteLine("error: nothing to recall by: pass the words of a task, e.g. allos memory search \"deploy the web scraper\"");
                return ExitCodes.Usage;
            }

            await using AdminStore store = await AdminStore.OpenForReadingAsync(cancellationToken);
            var recall = new MemoryRecall(store.Store.Sessions) { TokenBudget = Math.Max(1, result.GetValue(budget)) };
            ChatMessage? message = await recall.BuildMessageAsync(input, null, cancellationToken);
            if (message is null)
            {
                console.Error.WriteLine($"Nothing in earlier sessions matches '{input}': a run would recall nothing.");
                return ExitCodes.Success;
            }

            console.Out.WriteLine(message.Text);
            return ExitCodes.Success;
        });
        return new Command("memory", "What agents with memory: recall remember of earlier sessions") { search };
    }
}
