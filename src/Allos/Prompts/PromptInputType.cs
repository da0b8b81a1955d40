namespace Allos.Prompts;

/// <summary>The type of a prompt input, as its front matter declares it (<c>type: string</c>).</summary>
public enum PromptInputType
{
    /// <summary>Text (the default).</summary>
    String,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>Any number.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A list, usable with <c>{{#each}}</c>.</summary>
    Array,

    /// <summary>A mapping, whose fields a template reads as <c>{{name.field}}</c>.</summary>
    Object,
}
