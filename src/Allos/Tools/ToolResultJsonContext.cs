using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>
/// The one type a tool result adds to Microsoft.Extensions.AI's contract: a result of text and images is a
/// <see cref="List{T}"/> of <see cref="AIContent"/> in <see cref="FunctionResultContent.Result"/> (an <see cref="object"/>,
/// so it is written by its runtime type, which <see cref="AIJsonUtilities.DefaultOptions"/> has no metadata for).
/// </summary>
[JsonSerializable(typeof(List<AIContent>))]
internal sealed partial class ToolResultJsonContext : JsonSerializerContext;
