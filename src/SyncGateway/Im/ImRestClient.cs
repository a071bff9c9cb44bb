using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>The outcome of one HTTP attempt, as the retry pipeline sees it.</summary>
internal sealed record ImAttempt(ImApi Api, int ErrorCode, string ErrorInfo, ImErrorClass Class, bool Retry, JsonElement Root = default, Exception? Error = null);

/// <inheritdoc cref="IImRestClient"/>
internal sealed class ImRestClient : IImRestClient
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        // Request records name their members with [JsonPropertyName]; anonymous objects use IM's names as written.
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // CJK text stays UTF-8 instead of \uXXXX escapes, which would count triple against IM's 12 KB message limit.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly ImOptions _options;
    private readonly IAdminUserSigProvider _userSigs;
    private readonly ApiRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly ILogger<ImRestClient> _logger;
    private readonly SyncTelemetry _telemetry;
    private readonly ResiliencePipeline<ImAttempt> _pipeline;

    public ImRestClient(
        HttpClient http,
        IOptions<ImOptions> options,
        IAdminUserSigProvider userSigs,
        ApiRateLimiter limiter,
        ImRetryPolicy retryPolicy,
        TimeProvider time,
        SyncTelemetry telemetry,
        ILogger<ImRestClient> logger)
    {
        _telemetry = telemetry;
        _http = http;
        _options = options.Value;
        _userSigs = userSigs;
        _limiter = limiter;
        _time = time;
        _logger = logger;
        // Retried here by ErrorCode, not by an HttpClient resilience handler: IM answers most errors inside an HTTP 200.
        _pipeline = retryPolicy.BuildPipeline(time, logger);
    }

    public async Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(body);
        // Fails fast, before any waiting, when the dev-mode configuration has no key.
        _userSigs.GetUserSig();
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), SerializerOptions);

        using var activity = SyncTelemetry.Source.StartActivity("IM " + api.Command, ActivityKind.Client);
        activity?.SetTag(SyncTelemetry.Tags.ImApi, api.ToString());

        var attempts = 0;
        var renewedUserSig = false;
        var final = await _pipeline.ExecuteAsync(async token =>
        {
            attempts++;
            var attempt = await AttemptAsync(api, payload, token);
            if (attempt.Class.Kind == ImErrorKind.RenewUserSig)
            {
                attempt = attempt with { Retry = !renewedUserSig };
                renewedUserSig = true;
            }
            return attempt;
        }, cancellationToken);

        activity?.SetTag(SyncTelemetry.Tags.ImErrorCode, final.ErrorCode);
        activity?.SetTag("im.attempts", attempts);
        switch (final.Class.Kind)
        {
            case ImErrorKind.Success or ImErrorKind.AlreadyDone:
                return final.Root;
            case ImErrorKind.Transient:
                activity?.SetStatus(ActivityStatusCode.Error, "transient");
                ImRestClientLog.GaveUp(_logger, api, final.ErrorCode, attempts);
                throw new ImTransientException(api, final.ErrorCode, final.ErrorInfo, final.Error);
            default:
                activity?.SetStatus(ActivityStatusCode.Error, "permanent");
                ImRestClientLog.Failed(_logger, api, final.ErrorCode);
                throw new ImPermanentException(api, final.ErrorCode, final.ErrorInfo);
        }
    }

    private async ValueTask<ImAttempt> AttemptAsync(ImApi api, byte[] payload, CancellationToken cancellationToken)
    {
        // Held until the answer is in: the limiter counts the window from then.
        using var lease = await _limiter.AcquireAsync(api, cancellationToken);
        var userSig = _userSigs.GetUserSig();
        using var request = new HttpRequestMessage(HttpMethod.Post, BuildUri(api, userSig))
        {
            Content = new ByteArrayContent(payload) { Headers = { ContentType = JsonContentType } },
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RestTimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ImAttempt attempt;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            attempt = response.StatusCode == HttpStatusCode.OK
                ? Interpret(api, await response.Content.ReadAsByteArrayAsync(linked.Token))
                : Classified(api, ImErrorClassification.ForHttpStatus(response.StatusCode), $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            attempt = Classified(api, ImErrorClassification.NoAnswer, $"no answer within {_options.RestTimeoutSeconds} s") with { Error = e };
        }
        catch (HttpRequestException e)
        {
            attempt = Classified(api, ImErrorClassification.NoAnswer, e.Message) with { Error = e };
        }

        _telemetry.RecordImCall(api.ToString(), attempt.ErrorCode);
        if (attempt.Class.Kind == ImErrorKind.RenewUserSig)
        {
            ImRestClientLog.RenewingUserSig(_logger, api, attempt.ErrorCode);
            _userSigs.Renew(userSig);
        }
        return attempt;
    }

    private Uri BuildUri(ImApi api, string userSig)
    {
        var random = (uint)Random.Shared.NextInt64(0, 1L << 32);
        var relative = string.Create(CultureInfo.InvariantCulture,
            $"/{api.Path}?sdkappid={_options.SdkAppId}&identifier={Uri.EscapeDataString(_options.AdminIdentifier)}&usersig={Uri.EscapeDataString(userSig)}&random={random}&contenttype=json");
        return new Uri(_options.ApiBaseUrl, relative);
    }

    private static ImAttempt Interpret(ImApi api, byte[] answer)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(answer);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Classified(api, ImErrorClassification.UnreadableAnswer, "answer is not JSON");
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Classified(api, ImErrorClassification.UnreadableAnswer, "answer is not a JSON object");
        }

        var info = root.TryGetProperty("ErrorInfo", out var infoElement) && infoElement.ValueKind == JsonValueKind.String
            ? infoElement.GetString() ?? ""
            : "";
        int code;
        if (root.TryGetProperty("ErrorCode", out var codeElement) && codeElement.ValueKind == JsonValueKind.Number && codeElement.TryGetInt32(out var parsed))
        {
            code = parsed;
        }
        else if (root.TryGetProperty("ActionStatus", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() == "OK")
        {
            code = 0;
        }
        else
        {
            return Classified(api, ImErrorClassification.UnreadableAnswer, "answer has no ErrorCode");
        }

        if (code == 0 && root.TryGetProperty("MsgDropReason", out var drop) && drop.ValueKind == JsonValueKind.String && drop.GetString() is { Length: > 0 } reason)
        {
            return Classified(api, ImErrorClassification.MessageDropped, "message dropped: " + reason);
        }
        return Classified(api, code, info) with { Root = root };
    }

    private static ImAttempt Classified(ImApi api, int code, string info)
    {
        var kind = ImErrorClassification.Classify(code, api);
        return new ImAttempt(api, code, info, kind, Retry: kind.Kind is ImErrorKind.Transient or ImErrorKind.RenewUserSig);
    }
}

internal static partial class ImRestClientLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "IM {Api} answered {ErrorCode}; retry {Retry} in {DelayMs:F0} ms")]
    public static partial void Retrying(ILogger logger, ImApi api, int errorCode, int retry, double delayMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "IM {Api} answered {ErrorCode}: signing a new admin UserSig")]
    public static partial void RenewingUserSig(ILogger logger, ImApi api, int errorCode);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "IM {Api} still failing with {ErrorCode} after {Attempts} attempts")]
    public static partial void GaveUp(ILogger logger, ImApi api, int errorCode, int attempts);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "IM {Api} failed permanently with {ErrorCode}")]
    public static partial void Failed(ILogger logger, ImApi api, int errorCode);
}
