using Allos.Bench.Gateway;

// One executable, three roles, each in its own process: the fake upstream, the Kestrel pass-through floor, and the load
// harness that measures both (and Allos and Portkey) from outside. run.sh starts them; see bench/README.md.
return args switch
{
    ["upstream", .. var rest] => await FakeUpstream.RunAsync(BenchArguments.Parse(rest)),
    ["floor", .. var rest] => await PassThroughFloor.RunAsync(BenchArguments.Parse(rest)),
    ["load", .. var rest] => await LoadHarness.RunAsync(BenchArguments.Parse(rest)),
    ["free-port"] => FreePort(),
    _ => Usage(),
};

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    Console.WriteLine(((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: GatewayBench upstream|floor|load|free-port [--name value ...] (bench/gateway/run.sh runs them)");
    return 2;
}
