using System.Text.Json;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>Writes a <see cref="ChatResponse"/> as OpenAI's <c>chat.completion</c> object.</summary>
internal static class ChatCompletionWriter
{
    /// <param name="json">The writer, over the response body.</param>
    /// <param name="response">The Router's answer.</param>
    /// <param name="model">The model as the caller named it (an alias stays an alias).</param>
    public static void Write(Utf8JsonWriter json, ChatResponse response, string model)
    {
        string? text = null;
        string? reasoning = null;
        bool calledTools = false;
        foreach (ChatMessage message in response.Messages)
        {
            foreach (AIContent content in message.Contents)
            {
                switch (content)
                {
                    case TextContent part:
                        text = text is null ? part.Text : text + part.Text;
                        break;
                    case TextReasoningContent part when part.Text is { Length: > 0 }:
                        reasoning = reasoning is null ? part.Text : reasoning + part.Text;
                        break;
                    case FunctionCallContent:
                        calledTools = true;
                        break;
                }
            }
        }

        json.WriteStartObject();
        json.WriteString("id", OpenAIWire.CompletionId(response.ResponseId));
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", OpenAIWire.Created(response.CreatedAt));
        json.WriteString("model", model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (text is null)
        {
            json.WriteNull("content");
        }
        else
        {
            json.WriteString("content", text);
        }

        if (reasoning is not null)
        {
            json.WriteString("reasoning_content", reasoning);
        }

        json.WriteNull("refusal");
        if (calledTools)
        {
            WriteToolCalls(json, response);
        }

        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", OpenAIWire.FinishReason(response.FinishReason, calledTools));
        json.WriteEndObject();
        json.WriteEndArray();
        OpenAIWire.WriteUsage(json, response.Usage);
        json.WriteEndObject();
    }

    private static void WriteToolCalls(Utf8JsonWriter json, ChatResponse response)
    {
        json.WriteStartArray("tool_calls");
        foreach (ChatMessage message in response.Messages)
        {
            foreach (AIContent content in message.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    json.WriteStartObject();
                    json.WriteString("id", call.CallId);
                    json.WriteString("type", "function");
                    json.WriteStartObject("function");
                    json.WriteString("name", call.Name);
                    json.WriteString("arguments", WireContent.ArgumentsToJson(call.Arguments));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }
        }

        json.WriteEndArray();
    }
}
