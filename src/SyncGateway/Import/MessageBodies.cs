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

    /// <summary>Marks a custom element whose <c>Data</c> is one element <c>import_group_msg</c> does not accept.</summary>
    public const string ConvertedExt = "SyncGateway.ConvertedElement";

    /// <summary>Marks the custom element whose <c>Data</c> is a JSON array of several original elements (IM allows one custom element per message).</summary>
    public const string FoldedExt = "SyncGateway.FoldedElements";

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

    /// <summary>
    /// The body for <c>importmsg</c>, which accepts every element type but, like every IM message, at most one
    /// <c>TIMCustomElem</c>: several custom elements become one (<see cref="FoldedExt"/>).
    /// </summary>
    public static IReadOnlyList<ImMsgElement> ToIm(IReadOnlyList<MessageElement> body)
        => OneCustomElement(body, type => type == Custom);

    /// <summary>
    /// The body for <c>import_group_msg</c>, which accepts only text, face, location and custom elements, at most one
    /// custom element per message. Text, face and location stay as they are. A lone voice, image, file or video element
    /// becomes a <c>TIMCustomElem</c> whose <c>Data</c> is the original IM element JSON (<see cref="ConvertedExt"/>);
    /// when a message has more than one such or custom element, they all go into one (<see cref="FoldedExt"/>).
    /// </summary>
    public static IReadOnlyList<ImMsgElement> ToImGroupImport(IReadOnlyList<MessageElement> body)
        => OneCustomElement(body, type => !GroupImportable.Contains(type) || type == Custom);

    // Elements that must travel in the message's one custom element go there in their original order, at the place
    // of the first of them; nothing is lost, since Data keeps each original element whole.
    private static List<ImMsgElement> OneCustomElement(IReadOnlyList<MessageElement> body, Func<string, bool> inCustom)
    {
        var folded = body.Where(element => inCustom(element.MsgType)).ToList();
        if (folded is [] or [{ MsgType: Custom }])
        {
            return [.. body.Select(element => new ImMsgElement(element.MsgType, element.MsgContent))];
        }
        var custom = folded is [var single]
            ? new ImMsgElement(Custom, ConvertToCustom(single))
            : new ImMsgElement(Custom, FoldIntoCustom(folded));
        var result = new List<ImMsgElement>(body.Count - folded.Count + 1);
        var placed = false;
        foreach (var element in body)
        {
            if (!inCustom(element.MsgType))
            {
                result.Add(new ImMsgElement(element.MsgType, element.MsgContent));
            }
            else if (!placed)
            {
                result.Add(custom);
                placed = true;
            }
        }
        return result;
    }

    private static JsonElement ConvertToCustom(MessageElement element)
    {
        var original = JsonSerializer.Serialize(new ImMsgElement(element.MsgType, element.MsgContent));
        var content = new CustomContent(original, ConvertedDesc[element.MsgType], ConvertedExt);
        return JsonSerializer.SerializeToElement(content);
    }

    private static JsonElement FoldIntoCustom(IReadOnlyList<MessageElement> elements)
    {
        var originals = JsonSerializer.Serialize(elements.Select(element => new ImMsgElement(element.MsgType, element.MsgContent)).ToList());
        var desc = string.Join(" ", elements.Select(Describe).Where(text => text.Length > 0));
        return JsonSerializer.SerializeToElement(new CustomContent(originals, desc, FoldedExt));
    }

    // The push text of the folded message: each media element's label, and a custom element's own Desc.
    private static string Describe(MessageElement element)
        => ConvertedDesc.TryGetValue(element.MsgType, out var label) ? label
            : element.MsgContent.TryGetProperty("Desc", out var desc) && desc.ValueKind == JsonValueKind.String ? desc.GetString()!
            : "";

    private sealed record CustomContent(
        [property: JsonPropertyName("Data")] string Data,
        [property: JsonPropertyName("Desc")] string Desc,
        [property: JsonPropertyName("Ext")] string Ext);
}
