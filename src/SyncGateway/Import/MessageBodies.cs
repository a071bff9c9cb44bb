using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;
using SyncGateway.Im;

namespace SyncGateway.Import;

/// <summary>
/// Message bodies in the sync events' element model (<see cref="MessageElement"/>, camelCase
/// <c>msgType</c>/<c>msgContent</c>, IM's own field names inside <c>msgContent</c>) and their IM wire form.
/// </summary>
internal static class MessageBodies
{
    public const string Text = "TIMTextElem";
    public const string Location = "TIMLocationElem";
    public const string Face = "TIMFaceElem";
    public const string Custom = "TIMCustomElem";
    public const string Sound = "TIMSoundElem";
    public const string Image = "TIMImageElem";
    public const string File = "TIMFileElem";
    public const string VideoFile = "TIMVideoFileElem";

    /// <summary>Marks a custom element that carries an element <c>import_group_msg</c> does not accept.</summary>
    public const string ConvertedExt = "SyncGateway.ConvertedElement";

    private static readonly HashSet<string> Known = [Text, Location, Face, Custom, Sound, Image, File, VideoFile];

    // import_group_msg documents only these element types.
    private static readonly HashSet<string> GroupImportable = [Text, Location, Face, Custom];

    private static readonly Dictionary<string, string> ConvertedDesc = new()
    {
        [Sound] = "[voice]",
        [Image] = "[image]",
        [File] = "[file]",
        [VideoFile] = "[video]",
    };

    public static IReadOnlyList<MessageElement> Parse(JsonElement line, string name = "body")
    {
        if (!line.TryGetProperty(name, out var body) || body.ValueKind == JsonValueKind.Null)
        {
            throw new ImportInputException($"missing required field \"{name}\"");
        }
        if (body.ValueKind != JsonValueKind.Array || body.GetArrayLength() == 0)
        {
            throw new ImportInputException($"field \"{name}\" must be a non-empty array of elements");
        }
        var elements = new List<MessageElement>(body.GetArrayLength());
        var index = 0;
        foreach (var element in body.EnumerateArray())
        {
            elements.Add(ParseElement(element, $"{name}[{index++}]"));
        }
        return elements;
    }

    private static MessageElement ParseElement(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ImportInputException($"{path} must be an object with \"msgType\" and \"msgContent\"");
        }
        var type = LineFields.OptionalString(element, "msgType")
            ?? throw new ImportInputException($"{path} is missing \"msgType\"");
        if (!Known.Contains(type))
        {
            throw new ImportInputException($"{path} has unknown element type \"{type}\" (known: {string.Join(", ", Known)})");
        }
        if (!element.TryGetProperty("msgContent", out var content) || content.ValueKind != JsonValueKind.Object)
        {
            throw new ImportInputException($"{path} ({type}) needs a \"msgContent\" object");
        }
        switch (type)
        {
            case Text when !content.TryGetProperty("Text", out var text) || text.ValueKind != JsonValueKind.String:
                throw new ImportInputException($"{path} (TIMTextElem) needs msgContent.Text as a string");
            case Face when !content.TryGetProperty("Index", out var faceIndex) || faceIndex.ValueKind != JsonValueKind.Number:
                throw new ImportInputException($"{path} (TIMFaceElem) needs msgContent.Index as a number");
            case Location when !IsNumber(content, "Latitude") || !IsNumber(content, "Longitude"):
                throw new ImportInputException($"{path} (TIMLocationElem) needs msgContent.Latitude and Longitude as numbers");
        }
        return new MessageElement(type, content.Clone());
    }

    private static bool IsNumber(JsonElement content, string name)
        => content.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number;

    /// <summary>The body as IM's <c>MsgBody</c>, for <c>importmsg</c> (which accepts every element type).</summary>
    public static IReadOnlyList<ImMsgElement> ToIm(IReadOnlyList<MessageElement> body)
        => body.Select(element => new ImMsgElement(element.MsgType, element.MsgContent)).ToList();

    /// <summary>
    /// The body for <c>import_group_msg</c>: elements it does not accept (voice, image, file, video) become a
    /// <c>TIMCustomElem</c> whose <c>Data</c> is the original IM element JSON, so nothing is lost.
    /// </summary>
    public static IReadOnlyList<ImMsgElement> ToImGroupImport(IReadOnlyList<MessageElement> body)
        => body.Select(element => GroupImportable.Contains(element.MsgType)
                ? new ImMsgElement(element.MsgType, element.MsgContent)
                : new ImMsgElement(Custom, ConvertToCustom(element)))
            .ToList();

    private static JsonElement ConvertToCustom(MessageElement element)
    {
        var original = JsonSerializer.Serialize(new ImMsgElement(element.MsgType, element.MsgContent));
        var content = new CustomContent(original, ConvertedDesc[element.MsgType], ConvertedExt);
        return JsonSerializer.SerializeToElement(content);
    }

    private sealed record CustomContent(
        [property: JsonPropertyName("Data")] string Data,
        [property: JsonPropertyName("Desc")] string Desc,
        [property: JsonPropertyName("Ext")] string Ext);
}
