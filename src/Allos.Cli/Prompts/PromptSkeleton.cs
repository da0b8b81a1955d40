namespace Allos.Cli.Prompts;

/// <summary>The commented file <c>allos prompts new NAME</c> writes: every part of the format, and it loads cleanly as it is.</summary>
internal static class PromptSkeleton
{
    public static string For(string name) => $$$"""
        ---
        # A prompt template: YAML front matter, then role sections (system:, user:, assistant:) in Handlebars.
        # `allos prompts render {{{name}}} --var text="..."` prints what it sends; `allos prompts test {{{name}}}` runs its tests.
        name: {{{name}}}
        version: 1                      # a new version goes in another file with the same name: and a higher version:
        labels: []                      # movable labels such as [production]; `allos run --prompt {{{name}}}@production`
        description: What this prompt is for
        # model: openai/gpt-5-mini      # an alias from allos.yaml or provider/model; without it, the default model
        options: { temperature: 0.2 }   # also top_p, max_tokens, stop, seed, response_format
        inputs:                         # every {{variable}} of the body is declared here (checked when the file loads)
          text: { type: string, required: true, description: The text to work on }
          # tone: { type: string, default: plain }    # types: string, integer, number, boolean, array, object
        examples: []                    # few-shot pairs, sent before the last user turn: - { user: "...", assistant: "..." }
        tests:                          # `allos prompts test`: the answer to each test's vars must meet its expect
          - vars: { text: "The meeting moved to Thursday at 10." }
            expect: { contains: ["Thursday"] }    # also not_contains, equals, matches (a regex), json_schema
        ---
        system:
        You are a careful assistant. Answer briefly.

        user:
        {{text}}

        """;
}
