using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>Creates a chat client for one model of a provider registered in a <see cref="ProviderRegistry"/>.</summary>
/// <param name="model">The model name without the provider prefix (<c>gpt-4o-mini</c> for <c>myprovider/gpt-4o-mini</c>).</param>
/// <param name="options">The caller's explicit settings (never <see langword="null"/>).</param>
public delegate IChatClient ProviderFactory(string model, ChatClientOptions options);
