using Allos;
using Microsoft.Extensions.AI;

// Streams one answer from any model: dotnet run --project examples/Chat -- [--model provider/model] "question"
string model = Environment.GetEnvironmentVariable("ALLOS_MODEL") ?? "openai/gpt-4o-mini";
var words = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--model" or "-m" && i + 1 < args.Length)
    {
        model = args[++i];
    }
    else
    {
        words.Add(args[i]);
    }
}

string question = words.Count > 0 ? string.Join(' ', words) : "In one sentence, what is Allos?";
try
{
    using IChatClient chat = ChatClients.Create(model);
    var updates = new List<ChatResponseUpdate>();
    await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(question))
    {
        Console.Write(update.Text);
        updates.Add(update);
    }

    UsageDetails? usage = updates.ToChatResponse().Usage;
    Console.WriteLine();
    Console.Error.WriteLine($"[{model}: {usage?.InputTokenCount ?? 0} in, {usage?.OutputTokenCount ?? 0} out]");
    return 0;
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
catch (ProviderException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
