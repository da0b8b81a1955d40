using System.Globalization;
using System.Text;
using Allos.Providers;

namespace Allos.Tests.Providers;

public sealed class Rfc3339Tests
{
    private const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    [Theory]
    [InlineData("2025-07-07T20:22:19.184789123Z")]
    [InlineData("2025-07-07T20:22:19.19314Z")]
    [InlineData("2025-07-07T20:22:19Z")]
    [InlineData("2025-07-07t20:22:19.5z")]
    [InlineData("2025-07-07T20:22:19.99999995Z")]
    [InlineData("2025-07-07T20:22:19.99999994Z")]
    [InlineData("2025-12-31T23:59:59.999999999Z")]
    [InlineData("2024-02-29T00:00:00.0000001+02:00")]
    [InlineData("2025-07-07T20:22:19.184-07:30")]
    [InlineData("0001-01-01T00:00:00Z")]
    public void ValidTimestamps_ReadAsTheGeneralParserReadsThem(string text)
    {
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, Styles, out DateTimeOffset expected).ShouldBeTrue();

        Rfc3339.TryParse(Encoding.UTF8.GetBytes(text), out DateTimeOffset parsed).ShouldBeTrue();

        (parsed - expected).Duration().ShouldBeLessThanOrEqualTo(TimeSpan.FromTicks(1), "digits past the 100 ns tick are cut; the general parser rounds");
        parsed.Offset.ShouldBe(expected.Offset);
    }

    [Fact]
    public void RandomTimestamps_ReadAsTheGeneralParserReadsThem()
    {
        var random = new Random(20261201);
        for (int i = 0; i < 5_000; i++)
        {
            var time = new DateTime(random.NextInt64(new DateTime(1971, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks));
            string fraction = random.Next(10) is int digits and > 0 ? "." + string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10)))) : "";
            int minutes = random.Next(14 * 60 + 1);
            string offset = random.Next(3) switch { 0 => "Z", 1 => $"+{minutes / 60:00}:{minutes % 60:00}", _ => $"-{minutes / 60:00}:{minutes % 60:00}" };
            string text = time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + offset;
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, Styles, out DateTimeOffset expected).ShouldBeTrue(text);

            Rfc3339.TryParse(Encoding.UTF8.GetBytes(text), out DateTimeOffset parsed).ShouldBeTrue(text);

            (parsed - expected).Duration().ShouldBeLessThanOrEqualTo(TimeSpan.FromTicks(1), text);
        }
    }

    [Fact]
    public void DigitsPastTheTick_AreCut()
    {
        Rfc3339.TryParse("2025-07-07T20:22:19.99999999Z"u8, out DateTimeOffset parsed).ShouldBeTrue();
        parsed.ShouldBe(new DateTimeOffset(2025, 7, 7, 20, 22, 19, TimeSpan.Zero).AddTicks(9_999_999));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2025-07-07")]
    [InlineData("2025-07-07 20:22:19Z")]
    [InlineData("2025-13-07T20:22:19Z")]
    [InlineData("2025-02-30T20:22:19Z")]
    [InlineData("2025-07-07T24:00:00Z")]
    [InlineData("2025-07-07T20:22:19.Z")]
    [InlineData("2025-07-07T20:22:19")]
    [InlineData("2025-07-07T20:22:19+0200")]
    [InlineData("2025-07-07T20:22:19Zjunk")]
    [InlineData("2025-07-07T20:22:60Z")]
    [InlineData("2025-07-07T20:22:19+14:15")]
    public void AnythingElse_Declines(string text) =>
        Rfc3339.TryParse(Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
}
