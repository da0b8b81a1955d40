using Allos.Benchmarks;
using BenchmarkDotNet.Running;

// "serve" runs the fake provider server in its own process, so its allocations never count against the client under test.
if (args is ["serve", ..])
{
    return await FakeServerProcess.ServeAsync();
}

// "quick" and "profile" are for development: an interleaved A/B in seconds ("quick [formats] [iterations] [stream|whole|history]"),
// and a loop for dotnet-trace.
if (args is ["profile", string provider, string seconds, ..])
{
    await StreamProfileLoop.RunAsync(provider, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture), args is [.., "whole"]);
    return 0;
}

if (args is ["quick", ..])
{
    foreach (string format in args.Length > 1 ? args[1].Split(',') : ["openai", "anthropic", "gemini", "ollama"])
    {
        await QuickStreamComparison.RunAsync(format, args.Length > 2 ? int.Parse(args[2]) : 2000, args.Length > 3 ? args[3] : "stream");
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(FakeServerProcess).Assembly).Run(args);
return 0;
