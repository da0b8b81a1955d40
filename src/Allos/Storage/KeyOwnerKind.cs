namespace Allos.Storage;

/// <summary>Whose budget a <see cref="KeyOwner"/> is: a user's or a team's (LiteLLM's <c>user_id</c> and <c>team_id</c> on keys).</summary>
public enum KeyOwnerKind
{
    /// <summary>A user: the keys whose <see cref="VirtualKey.UserId"/> is the account's id share its budget and limits.</summary>
    User,

    /// <summary>A team: the keys whose <see cref="VirtualKey.TeamId"/> is the account's id share its budget, limits, models and blocked flag.</summary>
    Team,
}
