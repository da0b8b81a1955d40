namespace Allos.Gateway;

/// <summary>A cooldown published through <see cref="ISharedCooldowns"/>: deployment <paramref name="Deployment"/> is skipped until <paramref name="Until"/>.</summary>
/// <param name="Deployment">The deployment's key, <c>&lt;group alias&gt;/&lt;deployment name&gt;</c>.</param>
/// <param name="Until">When the cooldown ends; after it, some process probes the deployment as usual.</param>
internal readonly record struct SharedCooldown(string Deployment, DateTimeOffset Until);
