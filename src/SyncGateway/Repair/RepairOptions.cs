namespace SyncGateway.Repair;

/// <summary>Section <c>Repair</c>: the gap repair that fetches from IM's history what IM never called back for.</summary>
internal sealed class RepairOptions
{
    public const string SectionName = "Repair";

    /// <summary>
    /// The automatic repair inside the gateway (<c>Repair__Enabled</c>): tracking, the group hole repair, the tail check
    /// and 1:1 windows after intake errors. Unset = on with RabbitMQ, off on the in-memory transport.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>How long a hole stays open before it is repaired (<c>Repair__GracePeriodSeconds</c>): callbacks of one group can arrive out of order.</summary>
    public int GracePeriodSeconds { get; set; } = 60;

    /// <summary>How often the repair looks for due holes and checks active groups' newest seqs (<c>Repair__IntervalSeconds</c>).</summary>
    public int IntervalSeconds { get; set; } = 30;

    /// <summary>Groups with a message seen this recently get the tail check (<c>Repair__ActiveGroupHours</c>).</summary>
    public int ActiveGroupHours { get; set; } = 24;

    /// <summary>
    /// A 1:1 window repair reads the conversations with a message seen from this long before the window's start
    /// (<c>Repair__ConversationLookbackHours</c>): a conversation whose only messages in the window were lost was active before.
    /// </summary>
    public int ConversationLookbackHours { get; set; } = 24;

    /// <summary>Most holes one jump of a group's seq opens (<c>Repair__MaxHolesPerJump</c>); older ones are counted unrepairable.</summary>
    public int MaxHolesPerJump { get; set; } = 10_000;

    /// <summary>How long a quiet group's sequence state is kept (<c>Repair__StateTtlDays</c>): IM's default roaming period.</summary>
    public int StateTtlDays { get; set; } = 7;

    /// <summary>Most groups repaired per interval (<c>Repair__GroupsPerInterval</c>); the rest wait for the next one.</summary>
    public int GroupsPerInterval { get; set; } = 1_000;

    /// <summary>Conversations a 1:1 window repair reads at once (<c>Repair__Parallelism</c>); the per-API rate limit still holds.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>Whether the automatic repair runs, given whether the broker is RabbitMQ.</summary>
    public bool IsOn(bool rabbitMq) => Enabled ?? rabbitMq;

    public TimeSpan GracePeriod => TimeSpan.FromSeconds(GracePeriodSeconds);

    public TimeSpan StateTtl => TimeSpan.FromDays(StateTtlDays);

    public static IEnumerable<string> Validate(RepairOptions options)
    {
        if (options.GracePeriodSeconds is < 1 or > 86_400)
        {
            yield return "Repair:GracePeriodSeconds must be between 1 and 86400";
        }
        if (options.IntervalSeconds is < 1 or > 86_400)
        {
            yield return "Repair:IntervalSeconds must be between 1 and 86400";
        }
        if (options.ActiveGroupHours is < 1 or > 24 * 90)
        {
            yield return "Repair:ActiveGroupHours must be between 1 and 2160 (90 days, IM's longest roaming period)";
        }
        if (options.ConversationLookbackHours is < 0 or > 24 * 90)
        {
            yield return "Repair:ConversationLookbackHours must be between 0 and 2160";
        }
        if (options.MaxHolesPerJump is < 1 or > 1_000_000)
        {
            yield return "Repair:MaxHolesPerJump must be between 1 and 1000000";
        }
        if (options.StateTtlDays is < 1 or > 90)
        {
            yield return "Repair:StateTtlDays must be between 1 and 90";
        }
        if (options.GroupsPerInterval < 1)
        {
            yield return "Repair:GroupsPerInterval must be positive";
        }
        if (options.Parallelism is < 1 or > 64)
        {
            yield return "Repair:Parallelism must be between 1 and 64";
        }
    }
}
