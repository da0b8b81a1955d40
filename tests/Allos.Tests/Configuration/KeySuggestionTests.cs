using Allos.Configuration;

namespace Allos.Tests.Configuration;

public sealed class KeySuggestionTests
{
    private static readonly string[] Keys = ["default_model", "tools", "autonomy", "max_iterations", "system", "rpm", "tpm"];

    [Theory]
    [InlineData("autonmy", "autonomy")]
    [InlineData("autonomyy", "autonomy")]
    [InlineData("atuonomy", "autonomy")]
    [InlineData("Autonomy", "autonomy")]
    [InlineData("defaultModel", "default_model")]
    [InlineData("max-iteration", "max_iterations")]
    [InlineData("tool", "tools")]
    [InlineData("rpn", "rpm")]
    public void Nearest_Typo_SuggestsTheKeyMeant(string typed, string expected) =>
        KeySuggestion.Nearest(typed, Keys).ShouldBe(expected);

    [Theory]
    [InlineData("telemetry")]
    [InlineData("x")]
    [InlineData("")]
    public void Nearest_NothingClose_SuggestsNothing(string typed) =>
        KeySuggestion.Nearest(typed, Keys).ShouldBeNull();

    [Theory]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ab", "ba", 1)]
    public void Distance_Pairs_CountsEdits(string a, string b, int expected) =>
        KeySuggestion.Distance(a, b).ShouldBe(expected);
}
