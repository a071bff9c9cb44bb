namespace SyncGateway.Ledger;

/// <summary>Section <c>Ledger</c>: the message id ledger and the delivery ledger.</summary>
internal sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>
    /// How long a message's ids on both sides are kept (<c>Ledger__MessageTtlDays</c>): a recall, edit or read that
    /// refers to an older message finds nothing.
    /// </summary>
    public int MessageTtlDays { get; set; } = 30;

    /// <summary>How long the delivery ledger keeps an event's steps (<c>Ledger__TtlDays</c>): the admin API's memory.</summary>
    public int TtlDays { get; set; } = 14;
}
