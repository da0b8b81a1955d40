namespace Allos.Cli.Hosting;

/// <summary>Another process is running on the session; the message names it.</summary>
internal sealed class SessionInUseException(string session, string owner)
    : AllosException($"The session {session} is in use by {owner}. Wait for that run to finish, or start a new session.");
