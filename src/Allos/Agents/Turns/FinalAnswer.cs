using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>Changes a held final answer before it is released: redacted by an output guardrail, or taken out when one trips.</summary>
internal static class FinalAnswer
{
    /// <summary>Puts <paramref name="text"/> in place of the answer's text, in the run and in the held events.</summary>
    public static void Replace(RunState state, int addedBefore, List<RunEvent> held, string agent, string text)
    {
        bool placed = false;
        foreach (ChatMessage message in state.Added.Skip(addedBefore).Where(m => m.Role == ChatRole.Assistant))
        {
            var contents = new List<AIContent>();
            foreach (AIContent content in message.Contents)
            {
                if (content is not TextContent)
                {
                    contents.Add(content);
                }
                else if (!placed)
                {
                    contents.Add(new TextContent(text));
                    placed = true;
                }
            }

            message.Contents = contents;
        }

        int first = held.FindIndex(e => e is TextDeltaEvent);
        held.RemoveAll(e => e is TextDeltaEvent);
        if (first >= 0)
        {
            held.Insert(first, new TextDeltaEvent(agent, text));
        }

        state.LastText = text;
    }

    /// <summary>Takes the answer out of the run and the held events; usage and steps stay, since the call was made and paid for.</summary>
    public static void Drop(RunState state, int addedBefore, List<RunEvent> held)
    {
        int count = state.Added.Count - addedBefore;
        state.History.RemoveRange(state.History.Count - count, count);
        state.Added.RemoveRange(addedBefore, count);
        held.RemoveAll(e => e is TextDeltaEvent || (e is MessageAddedEvent added && added.Message.Role != ChatRole.User));
        state.LastText = "";
    }
}
