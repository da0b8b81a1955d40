using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>
/// The <c>contents</c> array of a <c>generateContent</c> request, written straight from the caller's messages when the
/// body is serialized: a long history costs no object per message. Parts other than text still go through
/// <see cref="GeminiPart"/>. Consecutive parts of one role share a turn: Gemini wants user and model turns to alternate.
/// </summary>
internal sealed class GeminiContents(IReadOnlyList<ChatMessage> history, string provider) : JsonWritable
{
    private const string UserRole = "user";
    private const string ModelRole = "model";

    public override void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        var turn = new Turn(json);

        // Gemini answers a call with the function's name; results only carry the call id, so names are looked up here.
        Dictionary<string, FunctionCallContent>? calls = null;
        for (int m = 0; m < history.Count; m++)
        {
            ChatMessage message = history[m];
            if (message.Role == ChatRole.System)
            {
                continue; // in systemInstruction
            }

            string role = message.Role == ChatRole.Assistant ? ModelRole : UserRole;
            IList<AIContent> contents = message.Contents;
            for (int i = 0; i < contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
            {
                switch (contents[i])
                {
                    case TextContent text:
                        string? signature = GeminiProperties.GetString(text.AdditionalProperties, GeminiProperties.ThoughtSignature);
                        if (text.Text.Length > 0 || signature is not null)
                        {
                            turn.Open(role);
                            json.WriteStartObject();
                            json.WriteString("text"u8, text.Text);
                            if (signature is not null)
                            {
                                json.WriteString("thoughtSignature"u8, signature);
                            }

                            json.WriteEndObject();
                        }

                        break;
                    case TextReasoningContent reasoning:
                        if (ReasoningPart(reasoning) is { } thought)
                        {
                            turn.Write(role, thought);
                        }

                        break;
                    case DataContent data:
                        turn.Write(role, new GeminiPart { InlineData = new GeminiBlob { MimeType = data.MediaType, Data = data.Base64Data.ToString() } });
                        break;
                    case UriContent uri:
                        turn.Write(role, new GeminiPart { FileData = new GeminiFileData { MimeType = uri.MediaType, FileUri = uri.Uri.AbsoluteUri } });
                        break;
                    case FunctionCallContent call:
                        (calls ??= new(StringComparer.Ordinal))[call.CallId] = call;
                        turn.Write(ModelRole, new GeminiPart
                        {
                            FunctionCall = new GeminiFunctionCall
                            {
                                Id = GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.CallId),
                                Name = call.Name,
                                Args = WireContent.ArgumentsToElement(call.Arguments),
                            },
                            ThoughtSignature = GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.ThoughtSignature),
                        });
                        break;
                    case FunctionResultContent result:
                        turn.Write(UserRole, new GeminiPart { FunctionResponse = ResponsePart(result, calls) });

                        // Images as inlineData parts after the response, in the same user turn: every Gemini model takes
                        // those (functionResponse.parts, the newer place, is accepted by Gemini 3 only).
                        foreach (DataContent image in ToolResultMedia.Images(result))
                        {
                            turn.Write(UserRole, new GeminiPart { InlineData = new GeminiBlob { MimeType = image.MediaType, Data = image.Base64Data.ToString() } });
                        }

                        break;
                    case UsageContent:
                        break;
                    case AIContent record when HostedSearch.IsRecord(record):
                        break; // Google Search ran for an earlier answer; Gemini takes no record of it back
                    case AIContent other:
                        throw new FeatureNotSupportedException(provider, $"{other.GetType().Name} content",
                            "Send text, DataContent (inline data), UriContent (file URIs), function calls and results.");
                }
            }
        }

        turn.Close();
        json.WriteEndArray();
    }

    private static GeminiPart? ReasoningPart(TextReasoningContent reasoning)
    {
        // Another provider's reasoning is dropped: its signature means nothing to Gemini and would be rejected.
        if (reasoning.AdditionalProperties?.ContainsKey(GeminiProperties.Thought) != true)
        {
            return null;
        }

        if (reasoning.Text.Length == 0)
        {
            // The signature-only part Gemini sends at the end of a turn goes back as it came: an empty text part.
            return reasoning.ProtectedData is { Length: > 0 } signature ? new GeminiPart { Text = "", ThoughtSignature = signature } : null;
        }

        return new GeminiPart { Text = reasoning.Text, Thought = true, ThoughtSignature = reasoning.ProtectedData };
    }

    private static GeminiFunctionResponse ResponsePart(FunctionResultContent result, Dictionary<string, FunctionCallContent>? calls)
    {
        // Without the matching call in the history (a trimmed context), the call id is the best name available.
        FunctionCallContent? call = calls?.GetValueOrDefault(result.CallId);
        string name = call?.Name ?? result.CallId;
        return new GeminiFunctionResponse
        {
            Id = call is null ? null : GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.CallId),
            Name = name,
            Response = new GeminiFunctionResult { Name = name, Content = WireContent.ResultToElement(result) },
        };
    }

    /// <summary>The turn being written: a part of another role closes it and opens the next.</summary>
    private struct Turn(Utf8JsonWriter json)
    {
        private string? _role;

        public void Open(string role)
        {
            if (ReferenceEquals(_role, role))
            {
                return; // the roles are the two constants above
            }

            Close();
            json.WriteStartObject();
            json.WriteString("role"u8, role);
            json.WriteStartArray("parts"u8);
            _role = role;
        }

        public void Write(string role, GeminiPart part)
        {
            Open(role);
            JsonSerializer.Serialize(json, part, GeminiJsonContext.Default.GeminiPart);
        }

        public void Close()
        {
            if (_role is not null)
            {
                json.WriteEndArray();
                json.WriteEndObject();
                _role = null;
            }
        }
    }
}
