using System.Text.Json;

namespace Allos.Tools;

/// <summary>The body of a schema-first tool.</summary>
/// <param name="arguments">The arguments object, already validated against the tool's schema.</param>
/// <param name="context">The call's context (workspace, call id, agent).</param>
/// <param name="cancellationToken">Cancelled when the run is cancelled or the tool's timeout expires.</param>
/// <returns>The result: a string is sent as is; anything else is serialized to JSON.</returns>
public delegate ValueTask<object?> ToolHandler(JsonElement arguments, ToolContext context, CancellationToken cancellationToken);
