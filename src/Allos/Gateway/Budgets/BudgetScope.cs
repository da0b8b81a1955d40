namespace Allos.Gateway;

/// <summary>What a <see cref="Budget"/> counts spending for.</summary>
public enum BudgetScope
{
    /// <summary>Every call through the Router.</summary>
    Global,

    /// <summary>Calls made to one alias (model group, or plain model id).</summary>
    Alias,

    /// <summary>Calls carrying one user key (see <see cref="RouterChatOptions.WithUser"/>).</summary>
    User,

    /// <summary>Calls carrying one session id (see <see cref="RouterChatOptions.WithSession"/>).</summary>
    Session,
}
