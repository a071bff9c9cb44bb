using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;

namespace SyncGateway.FromLegacy;

/// <summary>Collects the problems of one event of an ingress request, with the checks event declarations share.</summary>
internal sealed class DeltaProblems(int index, string? id, List<IngressError> errors)
{
    /// <summary>Problems of the whole request so far; compare before and after a check to see whether it added any.</summary>
    public int Count => errors.Count;

    public void Add(string field, string message) => errors.Add(new IngressError(index, id, field, message));

    public bool Require(string? value, string field)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return true;
        }
        Add(field, "is required");
        return false;
    }

    /// <summary>An optional Unix time in seconds, from 1970 to 9999.</summary>
    public bool UnixSeconds(long? value, string field)
    {
        if (value is null || (value >= 0 && value <= UnixTime.MaxSeconds))
        {
            return true;
        }
        Add(field, $"must be Unix seconds from 0 to {UnixTime.MaxSeconds} (the end of 9999)");
        return false;
    }

    /// <summary>Optional custom fields: each with a key.</summary>
    public bool CustomFields(IReadOnlyList<CustomField>? fields, string field)
    {
        for (var i = 0; i < (fields?.Count ?? 0); i++)
        {
            if (string.IsNullOrEmpty(fields![i]?.Key) || fields[i].Value is null)
            {
                Add($"{field}[{i}]", "needs a key and a value");
                return false;
            }
        }
        return true;
    }

    public bool Members(IReadOnlyList<string>? members, string field, bool allowEmpty)
    {
        if (members is null || members.Count == 0)
        {
            if (allowEmpty)
            {
                return true;
            }
            Add(field, "needs at least one member");
            return false;
        }
        for (var i = 0; i < members.Count; i++)
        {
            if (string.IsNullOrEmpty(members[i]))
            {
                Add($"{field}[{i}]", "is empty");
                return false;
            }
        }
        return true;
    }

    public bool Body(IReadOnlyList<MessageElement>? body)
    {
        if (body is null || body.Count == 0)
        {
            Add("data.body", "needs at least one element");
            return false;
        }
        for (var i = 0; i < body.Count; i++)
        {
            if (string.IsNullOrEmpty(body[i]?.MsgType))
            {
                Add($"data.body[{i}].msgType", "is required");
                return false;
            }
            if (body[i].MsgContent.ValueKind != JsonValueKind.Object)
            {
                Add($"data.body[{i}].msgContent", "is required and must be a JSON object");
                return false;
            }
            if (ImMessageElements.Problem(body[i].MsgType, body[i].MsgContent) is { } problem)
            {
                Add($"data.body[{i}].msgContent", problem);
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The message a recall or edit refers to: at least one of its identifying forms, the legacy id or IM's
    /// (<c>msgKey</c> for a 1:1 message, <c>msgSeq</c> for a group message).
    /// </summary>
    public bool Target(MessageTarget? target, bool groupMessage)
    {
        var named = target is not null
            && (!string.IsNullOrEmpty(target.LegacyMessageId) || (groupMessage ? target.MsgSeq is not null : !string.IsNullOrEmpty(target.MsgKey)));
        if (named)
        {
            return true;
        }
        Add("data.target", groupMessage
            ? "must name the message: legacyMessageId, or msgSeq (IM's id in the group)"
            : "must name the message: legacyMessageId, or msgKey (IM's id)");
        return false;
    }

    /// <summary>An optional string of at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public bool MaxBytes(string? value, string field, int maxBytes, string limit)
    {
        if (value is null || System.Text.Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            return true;
        }
        Add(field, $"must be at most {maxBytes} bytes ({limit})");
        return false;
    }
}
