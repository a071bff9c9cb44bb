using System.Text.Json;

namespace SyncGateway.Contracts;

/// <summary>
/// One element of a message body. <paramref name="MsgType"/> is IM's element type (<c>TIMTextElem</c>, …) and
/// <paramref name="MsgContent"/> is IM's <c>MsgContent</c> object with its field names unchanged, so unknown element
/// types pass through both directions verbatim.
/// </summary>
public sealed record MessageElement(string MsgType, JsonElement MsgContent);

/// <summary>A group @-mention: <paramref name="AtAll"/> for @all, otherwise the mentioned <paramref name="Account"/>.</summary>
public sealed record GroupMention(bool AtAll, string? Account);

/// <summary>A group custom field (IM <c>UserDefinedDataList</c> / <c>AppDefinedData</c>).</summary>
public sealed record CustomField(string Key, string Value);
