namespace SyncGateway.Messaging;

/// <summary>
/// What the gateway knows about its broker: whether the bus is connected (<see cref="BusWatch"/> asks it several
/// times a second) and whether a publish failed since the last confirm. The intakes read it to go straight to the
/// spool instead of waiting out a confirm that cannot come.
/// </summary>
internal sealed class BrokerState
{
    private volatile bool _connected;
    private volatile bool _failedSinceConfirm;

    /// <summary>The bus reports itself connected with every receive endpoint running.</summary>
    public bool Connected => _connected;

    /// <summary>Connected, and no publish has failed since the last one the broker confirmed.</summary>
    public bool Confirms => _connected && !_failedSinceConfirm;

    public void BusHealth(bool connected) => _connected = connected;

    /// <summary>Returns true when this failure starts an outage (the first since a confirm), so it is logged once.</summary>
    public bool PublishFailed()
    {
        var first = !_failedSinceConfirm;
        _failedSinceConfirm = true;
        return first;
    }

    public void PublishConfirmed() => _failedSinceConfirm = false;
}
