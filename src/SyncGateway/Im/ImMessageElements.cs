using System.Collections.Frozen;
using System.Text.Json;

namespace SyncGateway.Im;

/// <summary>
/// IM's documented <c>MsgContent</c> fields of the element types it defines (text, custom, face, location): a delta
/// whose content IM would refuse is answered 400 at the ingress instead of faulting at IM later. Fields are checked
/// for their JSON kind where present; only what the element cannot do without is required. Other element types
/// (image, sound, file, video, and any newer one) pass through as they are.
/// </summary>
internal static class ImMessageElements
{
    private static readonly FrozenDictionary<string, (string Field, JsonValueKind Kind, bool Required)[]> Rules =
        new Dictionary<string, (string, JsonValueKind, bool)[]>
        {
            ["TIMTextElem"] = [("Text", JsonValueKind.String, true)],
            ["TIMCustomElem"] = [("Data", JsonValueKind.String, false), ("Desc", JsonValueKind.String, false), ("Ext", JsonValueKind.String, false), ("Sound", JsonValueKind.String, false)],
            ["TIMFaceElem"] = [("Index", JsonValueKind.Number, true), ("Data", JsonValueKind.String, false)],
            ["TIMLocationElem"] = [("Desc", JsonValueKind.String, false), ("Latitude", JsonValueKind.Number, true), ("Longitude", JsonValueKind.Number, true)],
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>What is wrong with <paramref name="content"/> for <paramref name="msgType"/>, or null.</summary>
    public static string? Problem(string msgType, JsonElement content)
    {
        if (!Rules.TryGetValue(msgType, out var fields))
        {
            return null;
        }
        foreach (var (field, kind, required) in fields)
        {
            if (!content.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    return $"needs {field} for {msgType}";
                }
                continue;
            }
            if (value.ValueKind != kind)
            {
                return $"{field} of {msgType} must be a {(kind == JsonValueKind.String ? "string" : "number")}";
            }
        }
        return null;
    }
}
