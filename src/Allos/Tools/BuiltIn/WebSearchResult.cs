namespace Allos.Tools.BuiltIn;

/// <summary>One search hit as every backend gives it: the page's title, its URL and a plain-text snippet.</summary>
internal sealed record WebSearchResult(string Title, string Url, string Snippet);
