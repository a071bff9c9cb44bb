namespace SyncGateway.Ledger;

/// <summary>Section <c>Ledger</c>: the message id ledger.</summary>
internal sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>
    /// How long a message's ids on both sides are kept (<c>Ledger__MessageTtlDays</c>): a recall, edit or read that
    /// refers to an older message finds nothing.
    /// </summary>
    public int MessageTtlDays { get; set; } = 30;
}
