namespace SyncGateway.Spool;

/// <summary>Section <c>Spool</c>: the local journal behind the intakes, used with RabbitMQ only.</summary>
internal sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>The SQLite file (<c>Spool__Path</c>); its directory is created. Relative paths start at the working directory.</summary>
    public string Path { get; set; } = "data/spool.db";

    /// <summary>Events the spool holds at most; past it an intake answers 503.</summary>
    public long MaxEvents { get; set; } = 1_000_000;

    /// <summary>Bytes of event bodies the spool holds at most (the file is somewhat larger); past it an intake answers 503.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
}
