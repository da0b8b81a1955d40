using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Tools;

/// <summary>A real temporary folder with a <see cref="Workspace"/> over it (its <c>root</c> subfolder) and an "outside" sibling, deleted on dispose.</summary>
internal sealed class TempWorkspace : IDisposable
{
    public TempWorkspace()
    {
        Base = Path.Combine(Path.GetTempPath(), "allos-tools-" + Guid.NewGuid().ToString("N"));
        RootPath = Path.Combine(Base, "root");
        OutsidePath = Path.Combine(Base, "outside");
        Directory.CreateDirectory(RootPath);
        Directory.CreateDirectory(OutsidePath);
        Workspace = new Workspace(RootPath);
    }

    /// <summary>Gets the folder that holds both the root and the outside folder.</summary>
    public string Base { get; }

    public string RootPath { get; }

    /// <summary>Gets a folder next to the root, outside the workspace.</summary>
    public string OutsidePath { get; }

    public Workspace Workspace { get; }

    /// <summary>Writes a file under the root (folders created) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        string full = Path.Combine(RootPath, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(RootPath, relativePath));

    /// <summary>Invokes a tool the way the executor does: JSON-element arguments and a <see cref="ToolContext"/>.</summary>
    public async Task<string> InvokeAsync(Tool tool, string argumentsJson, CancellationToken cancellationToken = default)
    {
        using JsonDocument document = JsonDocument.Parse(argumentsJson);
        var arguments = new Dictionary<string, object?>();
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.Clone();
        }

        object? result = await tool.InvokeAsync(
            new AIFunctionArguments(arguments)
            {
                Context = new Dictionary<object, object?>
                {
                    [typeof(ToolContext)] = new ToolContext { CallId = "c1", ToolName = tool.Name, Workspace = Workspace },
                },
            },
            cancellationToken);
        return result.ShouldBeOfType<string>();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Base, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
