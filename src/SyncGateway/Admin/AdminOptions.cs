namespace SyncGateway.Admin;

/// <summary>Section <c>Admin</c>: the admin API's listener and bearer tokens.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>The admin listener's URL (<c>Admin__Urls</c>), with an explicit port; never the public one.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5081";

    /// <summary>One token, named <c>default</c> (<c>Admin__Token</c>).</summary>
    public string? Token { get; set; }

    /// <summary>Named tokens (<c>Admin__Tokens__&lt;name&gt;</c>); audit lines record the name, never the secret.</summary>
    public Dictionary<string, string> Tokens { get; set; } = new(StringComparer.Ordinal);
}
