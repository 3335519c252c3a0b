namespace Moderation.Testing;

/// <summary>
/// Queue, table and container names unique to one test (or fixture), so tests sharing one storage account (one Azurite
/// for the whole run, several test projects at once) never see each other's messages or rows.
/// </summary>
public sealed class StorageNames
{
    /// <summary>Ten lower-case hex characters, fresh per instance.</summary>
    public string Suffix { get; } = Guid.NewGuid().ToString("N")[..10];

    /// <summary>A queue or blob container name: lower-case letters, digits and dashes.</summary>
    public string Queue(string purpose) => $"t{Suffix}-{purpose}";

    /// <summary>A blob container name (the same rules as a queue's).</summary>
    public string Container(string purpose) => Queue(purpose);

    /// <summary>A table name: letters and digits only, starting with a letter.</summary>
    public string Table(string purpose) => purpose + Suffix;
}
