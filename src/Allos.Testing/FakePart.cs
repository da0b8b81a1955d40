namespace Allos.Testing;

/// <summary>One piece of a scripted assistant turn, rendered in the wire format of whichever endpoint was called.</summary>
public abstract record FakePart;

/// <summary>Answer text.</summary>
/// <param name="Text">The text.</param>
public sealed record FakeText(string Text) : FakePart;

/// <summary>Reasoning ("thinking") text, with the provider's opaque signature where the format has one.</summary>
/// <param name="Text">The reasoning text.</param>
/// <param name="Signature">Anthropic's thinking <c>signature</c> or Gemini's <c>thoughtSignature</c>.</param>
public sealed record FakeReasoning(string Text, string? Signature = null) : FakePart;

/// <summary>A tool call.</summary>
/// <param name="Id">The call id (Gemini and older Ollama servers send none; the fake server then omits it).</param>
/// <param name="Name">The tool name.</param>
/// <param name="ArgumentsJson">The arguments as a JSON object text (or deliberately malformed JSON, to test recovery).</param>
/// <param name="Signature">Gemini's <c>thoughtSignature</c> on the call's part.</param>
public sealed record FakeToolCall(string Id, string Name, string ArgumentsJson, string? Signature = null) : FakePart;
