using Microsoft.AspNetCore.Http;

namespace Allos.Testing.Formats;

/// <summary>Routes a request to the wire format its path belongs to, as the real providers lay out their endpoints.</summary>
internal static class FakeRoute
{
    /// <summary>Which wire format (and model, streaming, embeddings or token counting) a request path speaks; false when none.</summary>
    public static bool TryMatch(string method, string path, out FakeWireFormat format, out string? model, out bool streams, out bool embeddings, out bool counting)
    {
        format = FakeWireFormat.OpenAI;
        model = null;
        streams = false;
        embeddings = false;
        counting = false;
        if (!HttpMethods.IsPost(method))
        {
            return false;
        }

        if (path.EndsWith("/embeddings", StringComparison.Ordinal) || path.EndsWith("/api/embed", StringComparison.Ordinal))
        {
            format = path.EndsWith("/api/embed", StringComparison.Ordinal) ? FakeWireFormat.Ollama : FakeWireFormat.OpenAI;
            embeddings = true;
            return true;
        }

        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            format = FakeWireFormat.OpenAI;
            return true;
        }

        // count_tokens is answered by FakeTurn.TokenCount (or a raw turn: FakeTurn.Raw("application/json", "{\"input_tokens\":N}")).
        if (path.EndsWith("/v1/messages", StringComparison.Ordinal) || path.EndsWith("/v1/messages/count_tokens", StringComparison.Ordinal))
        {
            format = FakeWireFormat.Anthropic;
            counting = path.EndsWith("/count_tokens", StringComparison.Ordinal);
            return true;
        }

        if (path.EndsWith("/v2/chat", StringComparison.Ordinal))
        {
            format = FakeWireFormat.Cohere;
            return true;
        }

        // Bedrock Converse: /model/{modelId}/converse and /converse-stream (the id arrives unescaped: it may hold ':').
        int bedrock = path.IndexOf("/model/", StringComparison.Ordinal);
        if (bedrock >= 0 && (path.EndsWith("/converse", StringComparison.Ordinal) || path.EndsWith("/converse-stream", StringComparison.Ordinal)))
        {
            format = FakeWireFormat.Bedrock;
            streams = path.EndsWith("/converse-stream", StringComparison.Ordinal);
            model = path[(bedrock + "/model/".Length)..path.LastIndexOf('/')];
            return true;
        }

        if (path.EndsWith("/api/chat", StringComparison.Ordinal))
        {
            format = FakeWireFormat.Ollama;
            return true;
        }

        int models = path.IndexOf("/models/", StringComparison.Ordinal);
        int colon = path.LastIndexOf(':');
        if (models >= 0 && colon > models)
        {
            string action = path[(colon + 1)..];

            // Claude on Vertex AI: the Messages body at publishers/anthropic/models/{model}:rawPredict or :streamRawPredict.
            if (action is "rawPredict" or "streamRawPredict" && path.Contains("/publishers/anthropic/", StringComparison.Ordinal))
            {
                format = FakeWireFormat.Anthropic;
                model = Uri.UnescapeDataString(path[(models + "/models/".Length)..colon]);
                streams = action == "streamRawPredict";
                return true;
            }

            if (action is "generateContent" or "streamGenerateContent" or "batchEmbedContents" or "countTokens")
            {
                counting = action == "countTokens";
                embeddings = action == "batchEmbedContents";
                format = FakeWireFormat.Gemini;
                model = Uri.UnescapeDataString(path[(models + "/models/".Length)..colon]);
                streams = action == "streamGenerateContent";
                return true;
            }
        }

        return false;
    }

    /// <summary>Vertex AI's paths: <c>/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/…</c>.</summary>
    public static bool IsVertex(string path) => path.Contains("/projects/", StringComparison.Ordinal) && path.Contains("/publishers/", StringComparison.Ordinal);
}
