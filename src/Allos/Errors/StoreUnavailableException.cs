namespace Allos;

/// <summary>
/// The session store's database cannot be used: the file is corrupt or not a database, or the folder or file cannot be
/// opened or written. The file is left as it was.
/// </summary>
public sealed class StoreUnavailableException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="StoreUnavailableException"/> class.</summary>
    public StoreUnavailableException(string filePath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the database file.</summary>
    public string FilePath { get; }
}
