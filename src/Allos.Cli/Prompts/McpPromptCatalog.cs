using Allos.Cli.Commands;
using Allos.Mcp;

namespace Allos.Cli.Prompts;

/// <summary>
/// The prompts of the configured MCP servers (<c>mcp__SERVER__NAME</c>), beside the prompt files of
/// <see cref="ProjectPrompts"/>: servers are started only to list them (<c>prompts list</c>) or when a reference names one.
/// </summary>
internal static class McpPromptCatalog
{
    /// <summary>Lists every enabled server's prompts; a server that fails (or a configuration that cannot be read) is reported on standard error and left out.</summary>
    public static async Task<IReadOnlyList<McpPrompt>> ListAsync(CliConsole console, CancellationToken cancellationToken)
    {
        IReadOnlyList<McpServerOptions> configured;
        try
        {
            configured = McpServerConfig.Load();
        }
        catch (ConfigurationException ex)
        {
            console.Error.WriteLine($"warning: the prompts of MCP servers are not listed: {ex.Message}");
            return [];
        }

        if (configured.Count == 0)
        {
            return [];
        }

        try
        {
            await using var servers = new McpServers(configured);
            IReadOnlyList<McpPrompt>[] listed = await Task.WhenAll(servers.Servers.Where(server => server.Enabled).Select(async server =>
            {
                try
                {
                    return await servers.ListPromptsAsync(server.Name, cancellationToken);
                }
                catch (McpServerException ex)
                {
                    console.Error.WriteLine($"warning: {ex.Message}");
                    return [];
                }
            }));

            return [.. listed.SelectMany(prompts => prompts)];
        }
        catch (ConfigurationException ex)
        {
            console.Error.WriteLine($"warning: the prompts of MCP servers are not listed: {ex.Message}");
            return [];
        }
    }

    /// <summary>Starts the server <paramref name="reference"/> names, finds its prompt and gives it to <paramref name="use"/>; the server is closed after.</summary>
    /// <exception cref="Allos.Prompts.PromptException">The server has no such prompt, or an input is wrong.</exception>
    /// <exception cref="ConfigurationException">No configured server matches, or the configuration is invalid.</exception>
    /// <exception cref="McpServerException">The server failed.</exception>
    public static async Task<T> UseAsync<T>(string reference, Func<McpPrompt, Task<T>> use, CancellationToken cancellationToken)
    {
        await using var servers = new McpServers(McpServerConfig.Load());
        McpPrompt prompt = await servers.GetPromptAsync(reference, cancellationToken);
        return await use(prompt);
    }
}
