using Allos.Benchmarks;
using BenchmarkDotNet.Running;

// "serve" runs the fake provider server in its own process, so its allocations never count against the client under test.
if (args is ["serve", ..])
{
    return await FakeServerProcess.ServeAsync();
}

if (args is ["profile", string provider, string seconds])
{
    await Profile.RunAsync(provider, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

if (args is ["parse"])
{
    Sizes.Parse();
    return 0;
}

if (args is ["sizes"])
{
    Sizes.Run();
    return 0;
}

if (args is ["quick", ..])
{
    foreach (string p in args.Length > 1 ? args[1].Split(',') : ["openai", "anthropic", "gemini", "ollama"])
    {
        await Quick.RunAsync(p, args.Length > 2 ? int.Parse(args[2]) : 2000);
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
