using Allos.Cli;
using Allos.Cli.Settings;

// --cwd DIR first (as git -C): that folder's .env, allos.yaml and agents.yaml apply.
args = WorkingFolder.Enter(args);

// A .env in the working directory fills in what the environment does not set.
DotEnv.Load(Path.Combine(Environment.CurrentDirectory, ".env"));
return await CliApp.RunAsync(args);
