namespace SyncGateway.Tests.Deployment;

internal static class RepositoryFiles
{
    /// <summary>The repository root: the nearest directory above the test binaries that holds SyncGateway.sln.</summary>
    public static readonly string Root = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SyncGateway.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"SyncGateway.sln not found above {AppContext.BaseDirectory}");
    }
}
