namespace SyncGateway.ImCallbacks;

/// <summary>IM's callback answer JSON, written literally to keep IM's casing (<c>ActionStatus</c>, <c>ErrorCode</c>, <c>ErrorInfo</c>).</summary>
internal static class ImAnswers
{
    private const string OkJson = """{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""";

    public static IResult Ok() => Results.Text(OkJson, "application/json; charset=utf-8", statusCode: StatusCodes.Status200OK);

    public static IResult Fail(int statusCode, string errorInfo)
        => Results.Json(new Dictionary<string, object> { ["ActionStatus"] = "FAIL", ["ErrorCode"] = 1, ["ErrorInfo"] = errorInfo },
            statusCode: statusCode);
}
