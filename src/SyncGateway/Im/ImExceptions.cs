using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>IM answered with an error a retry may fix (rate limit, busy, timeout) or could not be reached.</summary>
internal sealed class ImTransientException(ImApi api, int errorCode, string errorInfo, Exception? inner = null)
    : TransientFailureException($"IM {api} failed transiently: ErrorCode {errorCode}: {errorInfo}", inner)
{
    public ImApi Api { get; } = api;
    public int ErrorCode { get; } = errorCode;
    public string ErrorInfo { get; } = errorInfo;
}

/// <summary>IM answered with an error no retry can fix (bad request, missing account or group, …).</summary>
internal sealed class ImPermanentException(ImApi api, int errorCode, string errorInfo)
    : PermanentFailureException($"IM {api} failed permanently: ErrorCode {errorCode}: {errorInfo}")
{
    public ImApi Api { get; } = api;
    public int ErrorCode { get; } = errorCode;
    public string ErrorInfo { get; } = errorInfo;
}
