using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Prompts;

/// <summary>The templates of <c>examples/prompts/</c> load as they are, without warnings, and render with their tests' inputs.</summary>
public sealed class ExamplePromptsTests
{
    private static readonly PromptLibrary Examples = PromptLibrary.Load([Path.Combine(RepositoryRoot(), "examples", "prompts")]);

    [Fact]
    public void Load_TheExamplesFolder_HasBothPromptsWithTestsAndNoWarnings()
    {
        Examples.Warnings.ShouldBeEmpty();
        Examples.Names.ShouldBe(["code_review", "commit_message"]);
        Examples.Get("code_review@production").Tests.Count.ShouldBe(2);
        Examples.Get("commit_message@production").Tests.ShouldHaveSingleItem();
    }

    [Fact]
    public void Render_EachExampleWithItsTestsVars_GivesSystemThenUserWithTheInputsFilledIn()
    {
        foreach (PromptTemplate template in Examples.Templates)
        {
            foreach (PromptTest test in template.Tests)
            {
                RenderedPrompt rendered = template.Render(test.Variables);
                rendered.Messages[0].Role.ShouldBe(ChatRole.System, template.Reference);
                rendered.Messages[^1].Role.ShouldBe(ChatRole.User, template.Reference);
                rendered.Messages.ShouldAllBe(message => !message.Text.Contains("{{"), template.Reference);
            }
        }
    }

    [Fact]
    public void Render_CommitMessage_ListsEachChangeWithEachAndTheIssueWhenGiven()
    {
        PromptTemplate template = Examples.Get("commit_message");
        var changes = new List<object?>
        {
            new Dictionary<string, object?> { ["path"] = "src/Cache.cs", ["summary"] = "evict the oldest entry" },
            new Dictionary<string, object?> { ["path"] = "README.md", ["summary"] = "document eviction" },
        };

        string withIssue = template.Render(new Dictionary<string, object?> { ["changes"] = changes, ["issue"] = "42" }).Messages[^1].Text;
        string without = template.Render(new Dictionary<string, object?> { ["changes"] = changes }).Messages[^1].Text;

        withIssue.ShouldContain("- src/Cache.cs: evict the oldest entry\n- README.md: document eviction");
        withIssue.ShouldContain("Closes #42");
        without.ShouldNotContain("Closes");
        template.Render(new Dictionary<string, object?> { ["changes"] = changes }).Messages[0].Text.ShouldContain("wrapped at 72 characters");
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Allos.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Allos.slnx not found above the test folder.");
    }
}
