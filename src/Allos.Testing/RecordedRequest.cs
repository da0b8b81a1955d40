using System.Text.Json;

namespace Allos.Testing;

/// <summary>A request the fake server received, kept for assertions.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body, JsonElement json, FakeWireFormat format, bool streaming)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
        Format = format;
        Streaming = streaming;
        Json = json;
        Time = DateTimeOffset.UtcNow;
    }

    /// <summary>Gets when the server finished reading the request (wall clock), for tests about pacing and retry delays.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; }

    /// <summary>Gets the path (<c>/v1/chat/completions</c>).</summary>
    public string Path { get; }

    /// <summary>Gets the query string, with its leading <c>?</c> (or empty).</summary>
    public string Query { get; }

    /// <summary>Gets the request headers (names are case-insensitive; repeated headers are joined with commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Gets the raw body.</summary>
    public string Body { get; }

    /// <summary>Gets the parsed body (<see cref="JsonValueKind.Undefined"/> when it was not JSON).</summary>
    public JsonElement Json { get; }

    /// <summary>Gets the wire format the path belongs to.</summary>
    public FakeWireFormat Format { get; }

    /// <summary>Gets a value indicating whether the client asked for a stream.</summary>
    public bool Streaming { get; }

    /// <summary>Gets the server's id of the TCP connection the request came on (equal ids mean a reused connection).</summary>
    public string ConnectionId { get; internal set; } = "";

    /// <summary>Gets a value indicating whether the client went away before the response was complete (for example on cancellation).</summary>
    public bool ClientDisconnected { get; internal set; }
}
