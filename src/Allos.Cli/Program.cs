using Allos.Cli;
using Allos.Cli.Settings;

// A .env in the working directory fills in what the environment does not set.
DotEnv.Load(Path.Combine(Environment.CurrentDirectory, ".env"));
return await CliApp.RunAsync(args);
