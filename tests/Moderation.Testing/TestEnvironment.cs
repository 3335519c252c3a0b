namespace Moderation.Testing;

/// <summary>Where the tests find what lives outside the repository: Azure Storage (Azurite) and the public data.</summary>
public static class TestEnvironment
{
    /// <summary>Set by scripts/test.sh (Azurite) or by the developer (a real account).</summary>
    public const string StorageConnectionVariable = "MODERATION_STORAGE_CONNECTION";

    /// <summary>Overrides where the public labeled data is; default: ../shared/data beside the repository.</summary>
    public const string SharedDataVariable = "MODERATION_SHARED_DATA";

    public static string? StorageConnectionString =>
        Environment.GetEnvironmentVariable(StorageConnectionVariable) is { Length: > 0 } value ? value : null;

    /// <summary>The repository root (the folder holding ModerationFunctions.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The public labeled data folder, or null where it does not exist (a user's clone).</summary>
    public static string? SharedDataDirectory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(SharedDataVariable);
            var path = configured is { Length: > 0 } ? configured : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModerationFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Tests must run from inside the repository (ModerationFunctions.sln not found above " + AppContext.BaseDirectory + ").");
    }
}

/// <summary>A test that needs Azure Storage; reported as skipped, with the reason, where none is configured.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StorageFactAttribute : FactAttribute
{
    public StorageFactAttribute()
    {
        if (TestEnvironment.StorageConnectionString is null)
        {
            Skip = $"Needs Azure Storage: set {TestEnvironment.StorageConnectionVariable} (scripts/test.sh starts Azurite and sets it).";
        }
    }
}

/// <summary>A test that needs the public labeled data in ../shared/data; reported as skipped where it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (TestEnvironment.SharedDataDirectory is null)
        {
            Skip = $"Needs the public labeled data in ../shared/data beside the repository (or {TestEnvironment.SharedDataVariable}); a plain clone does not have it.";
        }
    }
}
