using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Tests.Providers.Http;

public sealed class PooledJsonContentTests
{
    [Fact]
    public async Task Create_LargeBody_HasContentLengthAndTheSerializersBytesEachTimeItIsSent()
    {
        string value = new('x', 200_000); // larger than the first rented buffer
        byte[] expected = JsonSerializer.SerializeToUtf8Bytes(value, Allos.Providers.OpenAI.OpenAIJsonContext.Default.String);

        using PooledJsonContent content = PooledJsonContent.Create(value, Allos.Providers.OpenAI.OpenAIJsonContext.Default.String);

        content.Headers.ContentLength.ShouldBe(expected.Length);
        content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await content.ReadAsByteArrayAsync()).ShouldBe(expected);
        using var again = new MemoryStream();
        await content.CopyToAsync(again); // a redirect sends the same content again
        again.ToArray().ShouldBe(expected);
    }
}
