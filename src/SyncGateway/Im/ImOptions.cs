namespace SyncGateway.Im;

/// <summary>Section <c>Im</c>: the Tencent IM application, its callbacks and its REST API.</summary>
internal sealed class ImOptions
{
    public const string SectionName = "Im";

    /// <summary>The IM application's SDKAppID (<c>Im__SdkAppId</c>).</summary>
    public long SdkAppId { get; set; }

    /// <summary>Callback authentication token (<c>Im__CallbackToken</c>); empty = Sign is not checked.</summary>
    public string? CallbackToken { get; set; }

    /// <summary>Allowed difference between <c>RequestTime</c> and our clock (IM documents 60 s).</summary>
    public int CallbackMaxSkewSeconds { get; set; } = 60;

    /// <summary>Largest callback body accepted, in bytes.</summary>
    public int CallbackMaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Relay 1:1 callbacks whose delivery failed inside IM (<c>SendMsgResult</c> ≠ 0). Off by default: the peer never
    /// received such a message, so it is not part of the conversation.
    /// </summary>
    public bool RelayUndeliveredC2CMessages { get; set; }

    /// <summary>REST base URL, scheme and host only (<c>Im__ApiBaseUrl</c>).</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://console.tim.qq.com");

    /// <summary>App admin account used for REST calls (<c>Im__AdminIdentifier</c>).</summary>
    public string AdminIdentifier { get; set; } = "administrator";

    /// <summary>Secret key the admin UserSig is signed with (<c>Im__SecretKey</c>).</summary>
    public string? SecretKey { get; set; }

    /// <summary>Client-side limit per REST API and replica (<c>Im__RestCallsPerSecond</c>); 0 = each API's documented limit.</summary>
    public int RestCallsPerSecond { get; set; }

    /// <summary>Seconds each REST call may take before it counts as timed out (IM gives itself 3 s).</summary>
    public int RestTimeoutSeconds { get; set; } = 8;

    /// <summary>
    /// Ask IM not to raise after-send callbacks for the messages the gateway sends (<c>ForbidCallbackControl</c>).
    /// Origin tags suppress the echo either way.
    /// </summary>
    public bool ForbidCallbacksOnSend { get; set; } = true;
}
