using Allos.Cli.Output;

namespace Allos.Tests.Cli;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("0.000027", "$0.000027")]
    [InlineData("0.0000271", "$0.000027")]
    [InlineData("0.00002750", "$0.000028")]
    [InlineData("0.0012345", "$0.0012")]
    [InlineData("0.009999", "$0.01")]
    [InlineData("0.0123456", "$0.0123")]
    [InlineData("0.5", "$0.50")]
    [InlineData("1", "$1.00")]
    [InlineData("1234.567", "$1,234.57")]
    [InlineData("0", "$0")]
    [InlineData("0.000000001", "$0.000000001")]
    public void Format_SmallAmountsKeepTwoSignificantDigits(string amount, string expected) =>
        Money.Format(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected);

    [Fact]
    public void Format_UnknownCost_SaysSo() => Money.Format(null).ShouldBe("cost unknown");
}
