namespace Allos.Storage.Limits;

/// <summary>What kind of account a <see cref="LimitAccount"/> is.</summary>
internal enum LimitAccountKind
{
    Key,
    User,
    Team,
}
