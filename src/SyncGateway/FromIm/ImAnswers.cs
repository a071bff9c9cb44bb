using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SyncGateway.FromIm;

/// <summary>IM's callback answer, with IM's casing (<c>ActionStatus</c>, <c>ErrorCode</c>, <c>ErrorInfo</c>).</summary>
internal sealed record ImAnswer(
    [property: JsonPropertyName("ActionStatus")] string ActionStatus,
    [property: JsonPropertyName("ErrorCode")] int ErrorCode,
    [property: JsonPropertyName("ErrorInfo")] string ErrorInfo);

/// <summary>The answers the callback intake gives IM.</summary>
internal static class ImAnswers
{
    // Every accepted callback gets this answer: written as it stands rather than serialized each time.
    private const string OkJson = """{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""";

    public static ContentHttpResult Ok() => TypedResults.Text(OkJson, "application/json; charset=utf-8", statusCode: StatusCodes.Status200OK);

    public static JsonHttpResult<ImAnswer> Fail(int statusCode, string errorInfo)
        => TypedResults.Json(new ImAnswer("FAIL", 1, errorInfo), statusCode: statusCode);
}
