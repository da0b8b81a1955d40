using Allos.Gateway.Server;

// The server on its own: `dotnet run --project src/Allos.Gateway -- [--config allos.yaml] [--host H] [--port N]`.
return await GatewayCommandLine.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
