using Allos.Providers;

namespace Allos.Cli.Settings;

/// <summary>Where a provider's key and base URL come from in this environment, for <c>allos providers</c> and <c>allos config show</c>.</summary>
internal sealed record ProviderSetup(ProviderInfo Info, string? KeyVariable, string? Endpoint)
{
    /// <summary>Gets whether calls can be made: a key (or none needed) and a base URL (set or default).</summary>
    public bool Configured => (KeyVariable is not null || !Info.RequiresApiKey) && (Endpoint is not null || Info.DefaultEndpoint is not null);

    public static ProviderSetup Of(ProviderInfo info) => new(
        info,
        info.ApiKeyVariables.FirstOrDefault(variable => Environment.GetEnvironmentVariable(variable) is { Length: > 0 }),
        info.EndpointVariable is string endpoint ? Environment.GetEnvironmentVariable(endpoint) : null);
}
