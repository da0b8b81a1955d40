using System.Diagnostics;
using System.Net.Sockets;
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

    /// <summary>
    /// Invokes a tool on a pool thread and fails after 30 s, so a tool that blocks (before its first await, as a blocking
    /// open does) fails the test instead of hanging the run.
    /// </summary>
    public Task<string> InvokePromptlyAsync(Tool tool, string argumentsJson) =>
        Task.Run(() => InvokeAsync(tool, argumentsJson)).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Makes a named pipe (FIFO) under the root with <c>mkfifo</c> and returns its full path.</summary>
    public string MakeFifo(string relativePath) => MakeFifoAt(Path.Combine(RootPath, relativePath));

    /// <summary>Makes a named pipe (FIFO) at a full path with <c>mkfifo</c> (.NET has no API for it) and returns the path.</summary>
    public static string MakeFifoAt(string fullPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        using Process process = Process.Start(new ProcessStartInfo("mkfifo", [fullPath]) { UseShellExecute = false })!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0);
        return fullPath;
    }

    /// <summary>Binds a Unix domain socket under the root, which leaves a socket file there; dispose it to close the socket.</summary>
    public Socket BindSocket(string relativePath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(RootPath, relativePath)));
        return socket;
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
