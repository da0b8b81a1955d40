using System.Text;
using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class WebFetchToolTests : IAsyncLifetime, IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _tool = WebFetchTool.Create();
    private readonly LocalHttpServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private Task<string> FetchAsync(string path, CancellationToken cancellationToken = default) =>
        _temp.InvokeAsync(_tool, $$"""{"url":"{{new Uri(_server.BaseUri, path)}}"}""", cancellationToken);

    [Fact]
    public async Task Invoke_HtmlPage_ReturnsStatusContentTypeAndReadableText()
    {
        _server.Map("/page", "text/html; charset=utf-8", """
            <!DOCTYPE html>
            <html><head><title>The Title</title><style>body { color: red; }</style>
            <script>var secret = "do not show";</script></head>
            <body><!-- a comment --><h1>Heading</h1><p>First   paragraph with <b>bold</b> &amp; an entity &lt;tag&gt; &#233;t&eacute;.</p>
            <ul><li>one</li><li>two</li></ul>
            <script type="module">alert(1)</script></body></html>
            """);

        string result = await FetchAsync("/page");

        result.ShouldStartWith($"URL: {_server.BaseUri}page\nStatus: 200 OK\nContent-Type: text/html; charset=utf-8\n\n");
        result.ShouldContain("The Title\n\nHeading\n\nFirst paragraph with bold & an entity <tag> été.\n\n- one\n\n- two");
        result.ShouldNotContain("color: red");
        result.ShouldNotContain("do not show");
        result.ShouldNotContain("alert");
        result.ShouldNotContain("comment");
        result.ShouldNotContain("<p");
        result.ShouldNotContain("<b>");
        result.ShouldNotContain("<li");
    }

    [Fact]
    public async Task Invoke_PlainText_IsReturnedAsIs()
    {
        _server.Map("/a.txt", "text/plain", "line 1\n  line <2>\n");

        (await FetchAsync("/a.txt")).ShouldEndWith("\n\nline 1\n  line <2>\n");
    }

    [Fact]
    public async Task Invoke_NotFound_ReturnsTheStatus()
    {
        string result = await FetchAsync("/missing");

        result.ShouldContain("Status: 404 Not Found");
        result.ShouldContain("not found");
    }

    [Fact]
    public async Task Invoke_Redirect_IsFollowed()
    {
        _server.Map("/old", 302, null, [], ("Location", "/new"));
        _server.Map("/new", "text/plain", "arrived");

        string result = await FetchAsync("/old");

        result.ShouldStartWith($"URL: {_server.BaseUri}new\nStatus: 200 OK");
        result.ShouldEndWith("arrived");
    }

    [Fact]
    public async Task Invoke_TooManyRedirects_StopsAfterFive()
    {
        for (int i = 0; i < 10; i++)
        {
            _server.Map($"/r{i}", 302, null, [], ("Location", $"/r{i + 1}"));
        }

        string result = await FetchAsync("/r0");

        result.ShouldContain("Status: 302");
        result.ShouldContain("/r5");
        result.ShouldNotContain("/r7");
    }

    [Fact]
    public async Task Invoke_LargeBody_IsCutToTheReturnCapAndSaysSo()
    {
        _server.Map("/big", 200, "text/plain", Encoding.ASCII.GetBytes(new string('x', 2 * 1024 * 1024)));

        string result = await FetchAsync("/big");

        result.ShouldContain("larger than 1 MB");
        result.ShouldContain($"[... text cut: {WebFetchTool.MaxTextCharacters:N0} of {WebFetchTool.MaxBodyBytes:N0} characters shown ...]");
        result.Length.ShouldBeLessThan(WebFetchTool.MaxTextCharacters + 500);
    }

    [Fact]
    public async Task Invoke_BinaryContent_IsNotShown()
    {
        _server.Map("/img.png", 200, "image/png", [0x89, 0x50, 0x4E, 0x47, 0, 1, 2, 3]);

        (await FetchAsync("/img.png")).ShouldContain("(binary content, 8 bytes, not shown)");
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/x")]
    [InlineData("not a url")]
    public async Task Invoke_NonHttpUrl_IsRefused(string url) =>
        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, $$"""{"url":"{{url}}"}"""));

    [Fact]
    public async Task Invoke_ConnectionRefused_IsAnHttpError()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        (await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, $$"""{"url":"http://127.0.0.1:{{port}}/"}""")))
            .Message.ShouldContain("failed");
    }

    [Fact]
    public async Task Invoke_Cancelled_ThrowsOperationCanceled()
    {
        _server.MapSlow("/slow", TimeSpan.FromSeconds(10));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Should.ThrowAsync<OperationCanceledException>(() => FetchAsync("/slow", cancellation.Token));
    }

    [Fact]
    public void HtmlText_CollapsesWhitespaceAndDecodesEntities() =>
        HtmlText.ToText("<div>  a \n\n\n\n b&nbsp;c  </div><table><tr><td>x</td><td>y</td></tr></table>").ShouldBe("a\n\nb c\n\nx y");
}
