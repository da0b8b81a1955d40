namespace Allos.IntegrationTests.Providers.Gemini;

/// <summary>Verbatim Gemini captures from shared/reference/wire-protocols.md §4 (payloads untouched; SSE framing is added by the tests).</summary>
internal static class GeminiCaptures
{
    /// <summary>§4.3 VERBATIM-RECORDED: Gemini 3 function call with thoughtSignature (vercel google-tool-call.json).</summary>
    public const string ToolCallBody =
        """"
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "functionCall": {
                      "name": "weather",
                      "args": {
                        "location": "San Francisco"
                      }
                    },
                    "thoughtSignature": "EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5"
                  }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0,
              "finishMessage": "Model generated function call(s)."
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 29,
            "candidatesTokenCount": 15,
            "totalTokenCount": 937,
            "promptTokensDetails": [
              {
                "modality": "TEXT",
                "tokenCount": 29
              }
            ],
            "thoughtsTokenCount": 893
          },
          "modelVersion": "gemini-3-pro-preview",
          "responseId": "m36LaZGyCLz1xs0PtNSB-QU"
        }
        """";

    /// <summary>§4.4 VERBATIM-RECORDED payload: the whole functionCall with its thoughtSignature (vercel google-tool-call.chunks.txt).</summary>
    public const string ToolCallChunk1 =
        """"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"weather","args":{"location":"San Francisco"}},"thoughtSignature":"EqUCCqICAb4+9vsh8Pd5taZVoPzSvjWWwzBrvhEQWBLCGa7IdY8FBMm7Z6dCKFU3Ft0la15gF7RaHe1NlPRygQec0bFwPDfMwGcUOMNiJiNIKxusCs4ejCZRuouNYQ4etEIt7CujEUHiILLfZXSJZYhs4UCrD2bLqPq0sE0lWgYJnzHkkKUOnMsA2hKffAhtF4DWn5INYj8pPssvch/2VpDFW2F9XSE04zLDzkIWF2eztJX50Y0lTehRZC3FW7fOrXCzGx+PwdataD6eXlF5O1zn+86XtmktOs2DEp4o1PMvXFFAXe8GGvPt8Idf3UtHMq7AsapwMW9sjiKj+FJk54m+9LMTSaj7C86smfvoQryYBEHTVazr1bEnpl4bPG5JUtm2yAMkHj4="}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":29,"candidatesTokenCount":15,"totalTokenCount":89,"promptTokensDetails":[{"modality":"TEXT","tokenCount":29}],"thoughtsTokenCount":45},"modelVersion":"gemini-3-pro-preview","responseId":"b36LacjwM668nsEP2tbsgQQ"}"""";

    /// <summary>§4.4 VERBATIM-RECORDED payload: the empty text part carrying finishReason STOP.</summary>
    public const string ToolCallChunk2 =
        """"{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":29,"candidatesTokenCount":15,"totalTokenCount":89,"promptTokensDetails":[{"modality":"TEXT","tokenCount":29}],"thoughtsTokenCount":45},"modelVersion":"gemini-3-pro-preview","responseId":"b36LacjwM668nsEP2tbsgQQ"}"""";

    /// <summary>§4.4 payload: a thought:true part streamed before the answer (vercel google-stream-no-args-tool-call.chunks.txt, first line).</summary>
    public const string ThoughtChunk =
        """"{"candidates":[{"content":{"role":"model","parts":[{"text":"**Processing User Requests**\n\nI've started by understanding the user's instructions. Currently, I'm focusing on the initial steps: reading the specified theme using the appropriate tool. Next, I plan to tackle reading the screens, beginning with screen \"A,\" then proceeding with \"B\" and \"C\" in parallel as instructed.\n\n\n","thought":true}]}}],"usageMetadata":{"trafficType":"PROVISIONED_THROUGHPUT"},"modelVersion":"gemini-3-flash-preview","createTime":"2026-05-04T20:01:02.264968Z","responseId":"_vr4aYiWEJnYodAPkujX0QM"}"""";

    /// <summary>§4.4 VERBATIM-RECORDED raw SSE payloads (cookbook Streaming_REST, older gemini-pro): finishReason STOP on every chunk.</summary>
    public static readonly string[] CookbookChunks =
    [
        """"{"candidates": [{"content": {"parts": [{"text": "In the quaint, sunlit cottage nestled amidst a lush meadow, resided two feline"}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}],"promptFeedback": {"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}}"""",
        """"{"candidates": [{"content": {"parts": [{"text": " companions named Mittens and Whiskers. Mittens, with her silky black fur and piercing green eyes, possessed an air of elegance and mystery. Whiskers,"}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}]}"""",
        """"{"candidates": [{"content": {"parts": [{"text": " on the other hand, was a playful and mischievous white tomcat with a penchant for chasing his tail.\n\nOne lazy afternoon, as the sun cast long shadows across the meadow, Mittens and Whiskers found themselves lounging comfortably in the windowsill. The warm breeze carried the scent of blooming wildflowers, filling the room with"}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}]}"""",
        """"{"candidates": [{"content": {"parts": [{"text": " a sweet fragrance.\n\n\"My, what a lovely day it is,\" Mittens purred contently. \"I could stay here forever, basking in the sunshine.\"\n\n\"Oh, come on, Mittens!\" Whiskers exclaimed, his tail twitching with excitement. \"Let's go on an adventure!\"\n\nWith a reluctant sigh, Mittens agreed. Together, they leaped from the windowsill and landed gracefully in the long grass.\n\nAs they explored the meadow, they encountered a family of fluffy bunnies hopping merrily through the daisies. Whiskers couldn't resist chasing after them, his whiskers twitching with glee."}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}]}"""",
        """"{"candidates": [{"content": {"parts": [{"text": " Mittens, however, took a more leisurely approach, stopping to admire the vibrant wildflowers.\n\nSuddenly, their peaceful adventure was interrupted by the sound of a loud crash. They turned in alarm and saw that a large branch had fallen from a nearby tree, blocking the path.\n\n\"Oh no!\" Mittens cried in dismay. \"We're trapped!\"\n\nWhiskers, with his usual optimism, said, \"Don't worry, Mittens. I have a plan.\"\n\nSwiftly, he scurried up the trunk of the tree and used his sharp claws to dislodge the branch. With a mighty shove, he sent it crashing to the ground, clearing the way.\n\nMittens was overjoyed. \"Thank you, Whiskers!\" she said, purring. \"You saved the day.\"\n\nTogether, they continued their adventure, their bond strengthened by their shared experience. As the sun began to set, they made their way back to the cottage, tired but content.\n\nFrom that day forward, Mittens and Whiskers became known as the \"冒险伙伴\" (Adventure Buddies) of the meadow, their legend passed down through generations of kittens. And so, in that quaint little cottage, they lived happily ever after, their love for each"}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}]}"""",
        """"{"candidates": [{"content": {"parts": [{"text": " other and for adventure stronger than ever."}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_HARASSMENT","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "NEGLIGIBLE"}]}]}"""",
    ];

    /// <summary>§4.5 VERBATIM-ISSUE: bad key, HTTP 400 INVALID_ARGUMENT + API_KEY_INVALID.</summary>
    public const string BadKeyBody =
        """"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}]}}"""";

    /// <summary>§4.5 VERBATIM-ISSUE: context too long, HTTP 400.</summary>
    public const string ContextTooLongBody =
        """"{"error":{"code":400,"message":"The input token count (132478) exceeds the maximum number of tokens allowed (131072).","status":"INVALID_ARGUMENT"}}"""";

    /// <summary>§4.5 VERBATIM-ISSUE: overloaded, HTTP 503.</summary>
    public const string OverloadedBody =
        """"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"""";

    /// <summary>§4.5 VERBATIM-RECORDED: 429 with RetryInfo.retryDelay "34.4s" (vercel google-429-retry-info.json).</summary>
    public const string RetryInfoBody =
        """"
        {
          "error": {
            "code": 429,
            "message": "You exceeded your current quota, please check your plan.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
              {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                  {
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
                  }
                ]
              },
              {
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": "34.4s"
              }
            ]
          }
        }
        """";
}
