using System.Text.RegularExpressions;

namespace Allos.Prompts;

/// <summary>
/// Reads the Handlebars tags of a template before it is compiled, to check it against its declared inputs with lines:
/// which variables it uses, whether its blocks are balanced, and whether it calls a helper Allos does not provide.
/// </summary>
/// <remarks>
/// Handlebars.Net keeps its parser internal, so this is a small scanner of its tag syntax: <c>{{name}}</c>,
/// <c>{{{name}}}</c>, <c>{{~name~}}</c>, <c>{{#if x}}</c>, <c>{{#unless x}}</c>, <c>{{#each x}}</c>, <c>{{#with x}}</c>,
/// <c>{{else}}</c>, <c>{{/if}}</c>, comments and <c>\{{</c> escapes. Inside <c>each</c> and <c>with</c> a bare name refers to
/// the item, so only <c>@root.x</c> and <c>../x</c> are checked there.
/// </remarks>
internal static partial class TemplateScanner
{
    /// <summary>The helpers a prompt may call; anything else is a typo or a helper Allos does not register.</summary>
    public static readonly IReadOnlySet<string> BlockHelpers = new HashSet<string>(StringComparer.Ordinal) { "if", "unless", "each", "with" };

    /// <summary>The inline helpers a prompt may call (see <see cref="TemplateEngine"/>).</summary>
    public static readonly IReadOnlySet<string> InlineHelpers = new HashSet<string>(StringComparer.Ordinal) { "json", "lookup" };

    /// <summary>Scans <paramref name="text"/>, whose first line is line <paramref name="firstLine"/> of <paramref name="file"/>.</summary>
    /// <exception cref="PromptException">A tag is unclosed, a block unbalanced, or a helper unknown.</exception>
    public static IReadOnlyList<TemplateVariable> Scan(string text, string file, int firstLine)
    {
        var used = new List<TemplateVariable>();
        var blocks = new Stack<(string Helper, int Line, bool ChangesContext)>();
        int position = 0;
        int counted = 0, lines = 0; // newlines before 'counted', so each tag's line is found without rescanning the text
        while (true)
        {
            int open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }

            lines += text.AsSpan(counted, open - counted).Count('\n');
            counted = open;
            int line = firstLine + lines;
            if (open > 0 && text[open - 1] == '\\')
            {
                position = open + 2; // \{{ is literal text
                continue;
            }

            if (text.AsSpan(open).StartsWith("{{!--"))
            {
                position = Close(text, open, "--}}", file, line);
                continue;
            }

            bool triple = text.AsSpan(open).StartsWith("{{{");
            string closer = triple ? "}}}" : "}}";
            int end = text.IndexOf(closer, open + closer.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new PromptException($"'{{{{' opened here is never closed with '{closer}'.", file, line);
            }

            position = end + closer.Length;
            string tag = text[(open + closer.Length)..end].Trim('~').Trim();
            if (tag.Length == 0)
            {
                throw new PromptException("an empty tag '{{}}'.", file, line);
            }

            switch (tag[0])
            {
                case '!':
                    continue; // {{! comment }}
                case '>':
                    throw new PromptException($"partials ('{{{{{tag}}}}}') are not supported in prompt files; inline the text.", file, line);
                case '#':
                    {
                        string[] words = Words(tag[1..], file, line);
                        string helper = words.Length > 0 ? words[0] : "";
                        if (!BlockHelpers.Contains(helper))
                        {
                            throw new PromptException($"unknown block helper '#{helper}'; a prompt may use #if, #unless, #each and #with.", file, line);
                        }

                        if (words.Length != 2)
                        {
                            throw new PromptException($"'{{{{#{helper}}}}}' takes exactly one value, as in {{{{#{helper} name}}}}.", file, line);
                        }

                        Use(words[1], blocks, used, line);
                        blocks.Push((helper, line, helper is "each" or "with"));
                        continue;
                    }

                case '/':
                    {
                        string helper = tag[1..].Trim();
                        if (blocks.Count == 0)
                        {
                            throw new PromptException($"'{{{{/{helper}}}}}' closes a block that was never opened.", file, line);
                        }

                        (string opened, int openedLine, _) = blocks.Pop();
                        if (!string.Equals(opened, helper, StringComparison.Ordinal))
                        {
                            throw new PromptException($"'{{{{/{helper}}}}}' closes '{{{{#{opened}}}}}' opened on line {openedLine}; close it with {{{{/{opened}}}}}.", file, line);
                        }

                        continue;
                    }
            }

            if (tag == "else" || tag.StartsWith("else ", StringComparison.Ordinal) || tag[0] == '^')
            {
                if (blocks.Count == 0 || blocks.Peek().Helper is not ("if" or "unless" or "each"))
                {
                    throw new PromptException("'{{else}}' outside an #if, #unless or #each block.", file, line);
                }

                continue;
            }

            string[] parts = Words(tag, file, line);
            if (parts.Length > 1)
            {
                if (!InlineHelpers.Contains(parts[0]))
                {
                    throw new PromptException($"unknown helper '{parts[0]}' in '{{{{{tag}}}}}'; a tag holds one variable, or json/lookup with arguments.", file, line);
                }

                foreach (string argument in parts.Skip(1))
                {
                    Use(argument, blocks, used, line);
                }

                continue;
            }

            Use(parts[0], blocks, used, line);
        }

        if (blocks.Count > 0)
        {
            (string helper, int openedLine, _) = blocks.Peek();
            throw new PromptException($"'{{{{#{helper}}}}}' is never closed with {{{{/{helper}}}}}.", file, openedLine);
        }

        return used;
    }

    private static void Use(string expression, Stack<(string Helper, int Line, bool ChangesContext)> blocks, List<TemplateVariable> used, int line)
    {
        if (IsLiteral(expression) || expression is "this" or "." || expression.StartsWith("this.", StringComparison.Ordinal) || expression.StartsWith("./", StringComparison.Ordinal))
        {
            return;
        }

        int depth = blocks.Count(block => block.ChangesContext);
        string path = expression;
        if (path.StartsWith("@root.", StringComparison.Ordinal))
        {
            path = path["@root.".Length..];
        }
        else if (path.StartsWith('@'))
        {
            return; // @index, @key, @first, @last
        }
        else
        {
            int up = 0;
            while (path.StartsWith("../", StringComparison.Ordinal))
            {
                path = path[3..];
                up++;
            }

            if (up != depth)
            {
                return; // a name of the item (or an outer item): not an input
            }
        }

        string name = path.Split('.', '[', '/')[0];
        if (name.Length > 0)
        {
            used.Add(new TemplateVariable(name, line));
        }
    }

    private static bool IsLiteral(string word) =>
        word.Length > 0 && (word[0] is '"' or '\'' || char.IsAsciiDigit(word[0]) || word[0] == '-' || word is "true" or "false" or "null" or "undefined");

    /// <summary>Splits a tag into its words, keeping quoted strings whole.</summary>
    private static string[] Words(string tag, string file, int line)
    {
        var words = new List<string>();
        foreach (Match match in WordPattern().Matches(tag))
        {
            if (match.Value.Contains('=', StringComparison.Ordinal) && match.Value[0] is not ('"' or '\''))
            {
                throw new PromptException($"hash arguments ('{match.Value}') are not supported in prompt files.", file, line);
            }

            words.Add(match.Value);
        }

        if (words.Count == 0)
        {
            throw new PromptException($"'{{{{{tag}}}}}' names nothing.", file, line);
        }

        return [.. words];
    }

    private static int Close(string text, int open, string closer, string file, int line)
    {
        int end = text.IndexOf(closer, open, StringComparison.Ordinal);
        return end < 0 ? throw new PromptException($"a comment opened here is never closed with '{closer}'.", file, line) : end + closer.Length;
    }

    [GeneratedRegex("\"[^\"]*\"|'[^']*'|\\S+")]
    private static partial Regex WordPattern();
}

/// <summary>A variable a template uses, with the line of its first character.</summary>
internal readonly record struct TemplateVariable(string Name, int Line);
