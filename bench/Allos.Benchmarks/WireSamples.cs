using System.Text;

namespace Allos.Benchmarks;

/// <summary>
/// Answers in each provider's wire format (shapes as in the providers' recorded captures): a streamed answer of
/// <see cref="Chunks"/> text pieces with its finish and usage events, and a short whole answer.
/// </summary>
internal static class WireSamples
{
    public const int Chunks = 200;

    private static readonly string[] Words = [" The", " capital", " of", " France", " is", " Paris", ",", " a", " city", " on", " the", " Seine", "."];

    public static string Piece(int i) => Words[i % Words.Length];

    public static (byte[] Body, string ContentType) Stream(string provider)
    {
        var sse = new StringBuilder();
        switch (provider)
        {
            case "openai":
                const string Head = """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":""";
                sse.Append("data: ").Append(Head).Append("""{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""").Append("\n\n");
                for (int i = 0; i < Chunks; i++)
                {
                    sse.Append("data: ").Append(Head).Append("{\"content\":\"").Append(Json(Piece(i))).Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}").Append("\n\n");
                }

                sse.Append("data: ").Append(Head).Append("""{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""").Append("\n\n");
                sse.Append("data: ").Append("""{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[],"usage":{"prompt_tokens":14,"completion_tokens":200,"total_tokens":214,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""").Append("\n\n");
                sse.Append("data: [DONE]\n\n");
                return (Encoding.UTF8.GetBytes(sse.ToString()), "text/event-stream; charset=utf-8");
            case "anthropic":
                Event(sse, "message_start", """{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}""");
                Event(sse, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
                Event(sse, "ping", """{"type": "ping"}""");
                for (int i = 0; i < Chunks; i++)
                {
                    Event(sse, "content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{Json(Piece(i))}}}"}}""");
                }

                Event(sse, "content_block_stop", """{"type":"content_block_stop","index":0}""");
                Event(sse, "message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":200}}""");
                Event(sse, "message_stop", """{"type":"message_stop"}""");
                return (Encoding.UTF8.GetBytes(sse.ToString()), "text/event-stream; charset=utf-8");
            case "gemini":
                for (int i = 0; i < Chunks; i++)
                {
                    string finish = i == Chunks - 1 ? "\"finishReason\":\"STOP\"," : "";
                    sse.Append("data: ").Append($$"""{"candidates":[{"content":{"parts":[{"text":"{{Json(Piece(i))}}"}],"role":"model"},{{finish}}"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":{{i + 1}},"totalTokenCount":{{i + 10}},"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},"modelVersion":"gemini-2.5-flash","responseId":"b36LacjwM668nsEP2tbsgQQ"}""").Append("\r\n\r\n");
                }

                return (Encoding.UTF8.GetBytes(sse.ToString()), "text/event-stream");
            case "ollama":
                for (int i = 0; i < Chunks; i++)
                {
                    sse.Append($$"""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.{{184789 + (i * 37)}}Z","message":{"role":"assistant","content":"{{Json(Piece(i))}}"},"done":false}""").Append('\n');
                }

                sse.Append("""{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":182242375,"load_duration":41295167,"prompt_eval_count":169,"prompt_eval_duration":24573166,"eval_count":200,"eval_duration":116196250}""").Append('\n');
                return (Encoding.UTF8.GetBytes(sse.ToString()), "application/x-ndjson");
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, null);
        }
    }

    public static (byte[] Body, string ContentType) Whole(string provider)
    {
        string json = provider switch
        {
            "openai" => """{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris, a city on the Seine.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":13,"total_tokens":27,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"}""",
            "anthropic" => """{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"The capital of France is Paris, a city on the Seine."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":13}}""",
            "gemini" => """{"candidates":[{"content":{"parts":[{"text":"The capital of France is Paris, a city on the Seine."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":13,"totalTokenCount":22,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},"modelVersion":"gemini-2.5-flash","responseId":"b36LacjwM668nsEP2tbsgQQ"}""",
            "ollama" => """{"model":"llama3.2","created_at":"2025-07-07T20:32:53.844124Z","message":{"role":"assistant","content":"The capital of France is Paris, a city on the Seine."},"done_reason":"stop","done":true,"total_duration":182242375,"load_duration":41295167,"prompt_eval_count":26,"prompt_eval_duration":24573166,"eval_count":13,"eval_duration":116196250}""",
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };
        return (Encoding.UTF8.GetBytes(json), "application/json");
    }

    /// <summary>The text of one message of a long history: about 470 characters, so 200 of them make a ~95 KB body.</summary>
    public static string HistoryText(int i) =>
        $"Message {i}: " + string.Concat(Enumerable.Repeat("Paris is the capital and largest city of France, on the Seine. ", 7));

    private static void Event(StringBuilder sse, string name, string data) => sse.Append("event: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");

    private static string Json(string text) => text.Replace("\"", "\\\"", StringComparison.Ordinal);
}
