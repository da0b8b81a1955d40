namespace Allos.Storage.Limits;

/// <summary>Which limit of an account stood in the way of a reservation.</summary>
internal enum LimitRefusal
{
    /// <summary>Nothing: the reservation was made.</summary>
    None,

    /// <summary>The account has its <c>max_parallel_requests</c> in flight.</summary>
    Parallel,

    /// <summary>Its budget cannot hold the call's estimated cost beside what is spent and reserved.</summary>
    Budget,

    /// <summary>Its requests or tokens per minute are used up.</summary>
    Rate,

    /// <summary>The key no longer exists (deleted through another instance).</summary>
    Gone,
}
