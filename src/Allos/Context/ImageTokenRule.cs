namespace Allos.Context;

/// <summary>Which provider's published rule <see cref="TokenEstimator"/> uses to count an image's input tokens.</summary>
public enum ImageTokenRule
{
    /// <summary>No provider known: OpenAI's tile rule when the size is known, 1,000 tokens when it is not.</summary>
    Default,

    /// <summary>OpenAI: 85 + 170 per 512-pixel tile, after fitting in 2048×2048 and scaling the shortest side to 768 (85 in total with <c>detail: low</c>).</summary>
    OpenAI,

    /// <summary>Anthropic: width × height / 750, capped at about 1,600 (larger images are scaled down by the API).</summary>
    Anthropic,

    /// <summary>Gemini: 258 per image.</summary>
    Gemini,
}
