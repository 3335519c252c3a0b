using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Moderation.Storage;

/// <summary>
/// The <c>ModerationStorage</c> connection, in the Azure Functions style so one setting serves the Functions bindings
/// and our own clients: either a connection string in <c>ModerationStorage</c> (Azurite, development), or
/// identity-based with <c>ModerationStorage:queueServiceUri</c>, <c>:tableServiceUri</c>, <c>:blobServiceUri</c>
/// (and optionally <c>:clientId</c> for a user-assigned managed identity), authenticated with
/// <see cref="DefaultAzureCredential"/>. Identity-based is what production uses: no account key to leak or rotate.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>The configuration key (and app setting prefix) of the connection.</summary>
    public const string Name = "ModerationStorage";

    /// <summary>The environment variable scripts and tests set to an Azurite connection string.</summary>
    public const string EnvironmentVariable = "MODERATION_STORAGE_CONNECTION";

    private StorageConnection(string? connectionString, Uri? queueServiceUri, Uri? tableServiceUri, Uri? blobServiceUri, TokenCredential? credential, Action<ClientOptions>? configureClients = null)
    {
        ConfigureClients = configureClients;
        ConnectionString = connectionString;
        QueueServiceUri = queueServiceUri;
        TableServiceUri = tableServiceUri;
        BlobServiceUri = blobServiceUri;
        Credential = credential;
    }

    private string? ConnectionString { get; }

    private Uri? QueueServiceUri { get; }

    private Uri? TableServiceUri { get; }

    private Uri? BlobServiceUri { get; }

    private TokenCredential? Credential { get; }

    private Action<ClientOptions>? ConfigureClients { get; }

    /// <summary>
    /// The same connection, with <paramref name="configure"/> applied to the options of every client it creates (e.g.
    /// an <see cref="HttpPipelinePolicy"/> that counts or traces storage calls).
    /// </summary>
    public StorageConnection WithClientOptions(Action<ClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var previous = ConfigureClients;
        return new StorageConnection(ConnectionString, QueueServiceUri, TableServiceUri, BlobServiceUri, Credential, o =>
        {
            previous?.Invoke(o);
            configure(o);
        });
    }

    /// <summary>True when the connection uses a managed identity rather than a connection string.</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>A connection string (for Azurite or a development account).</summary>
    public static StorageConnection FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new StorageConnection(connectionString, null, null, null, null);
    }

    /// <summary>
    /// Reads the connection from configuration. Throws <see cref="InvalidOperationException"/> with the settings to
    /// set when it is missing or incomplete (never echoing a secret).
    /// </summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[Name] is { Length: > 0 } connectionString)
        {
            return FromConnectionString(connectionString);
        }

        var section = configuration.GetSection(Name);
        var queue = ReadUri(section, "queueServiceUri");
        var table = ReadUri(section, "tableServiceUri");
        var blob = ReadUri(section, "blobServiceUri");
        if (queue is null || table is null || blob is null)
        {
            throw new InvalidOperationException(
                $"Azure Storage is not configured: set '{Name}' to a connection string, or '{Name}:queueServiceUri', '{Name}:tableServiceUri' and '{Name}:blobServiceUri' "
                + $"(app settings '{Name}__queueServiceUri' etc.) for managed identity; locally, set {EnvironmentVariable}.");
        }

        var clientId = section["clientId"];
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
        });
        return new StorageConnection(null, queue, table, blob, credential);
    }

    /// <summary>A queue client with the conventions' Base64 message encoding (the Functions queue trigger's default).</summary>
    public QueueClient CreateQueueClient(string queueName, Action<QueueClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        ConfigureClients?.Invoke(options);
        configure?.Invoke(options);
        return ConnectionString is not null
            ? new QueueClient(ConnectionString, queueName, options)
            : new QueueClient(new Uri(QueueServiceUri!, queueName), Credential!, options);
    }

    public TableClient CreateTableClient(string tableName)
    {
        var options = new TableClientOptions();
        ConfigureClients?.Invoke(options);
        return ConnectionString is not null
            ? new TableClient(ConnectionString, tableName, options)
            : new TableClient(TableServiceUri!, tableName, Credential!, options);
    }

    public BlobContainerClient CreateBlobContainerClient(string containerName)
    {
        var options = new BlobClientOptions();
        ConfigureClients?.Invoke(options);
        return ConnectionString is not null
            ? new BlobContainerClient(ConnectionString, containerName, options)
            : new BlobContainerClient(new Uri(BlobServiceUri!, containerName), Credential!, options);
    }

    /// <summary>
    /// Hands the connection to an SDK that builds its own clients (Durable Task's Azure Storage provider): the connection
    /// string, or the account name with the managed identity's credential.
    /// </summary>
    public T Select<T>(Func<string, T> withConnectionString, Func<string, TokenCredential, T> withIdentity)
    {
        ArgumentNullException.ThrowIfNull(withConnectionString);
        ArgumentNullException.ThrowIfNull(withIdentity);
        return ConnectionString is not null
            ? withConnectionString(ConnectionString)
            : withIdentity(QueueServiceUri!.Host.Split('.')[0], Credential!);
    }

    /// <summary>Never the connection string: it may hold the account key.</summary>
    public override string ToString() =>
        ConnectionString is not null ? "StorageConnection(connection string)" : $"StorageConnection(managed identity, {QueueServiceUri?.Host})";

    private static Uri? ReadUri(IConfiguration section, string key)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // A trailing slash makes new Uri(base, name) append rather than replace the last segment.
        var text = value.EndsWith('/') ? value : value + "/";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException($"'{Name}:{key}' is not an absolute URI.");
    }
}
