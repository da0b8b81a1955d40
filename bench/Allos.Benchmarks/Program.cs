using Allos.Benchmarks;
using BenchmarkDotNet.Running;

// "serve" runs the fake provider server in its own process, so its allocations never count against the client under test.
if (args is ["serve", ..])
{
    return await FakeServerProcess.ServeAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
