using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A user's profile changed: <c>Profile.CallbackPortraitSet</c> ↔ <c>profile/portrait_set</c>. Nick, avatar, gender,
/// birthday, status line and custom fields (<c>Tag_Profile_Custom_*</c>) cross; IM's other standard fields (location,
/// language, friend settings) are not relayed. Each field is an echo part of its own. IM raises the callback only while
/// the console's profile change subscription is on.
/// </summary>
internal sealed class ProfileChangedDeclaration()
    : EventDeclaration<ProfileChangedData, ImProfileChanged, LegacyProfileChanged>(EventTypes.ImProfileChanged, EventTypes.LegacyProfileChanged, ProfileChangedDeclaration.Command)
{
    public const string Command = "Profile.CallbackPortraitSet";

    public override string Conversation(ProfileChangedData data) => Conversations.User(data.UserId);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<PortraitSetBody>(body);
        var userId = CallbackContext.Required(b.FromAccount, "From_Account");
        var items = b.ProfileItem ?? throw new InvalidCallbackException("has no ProfileItem");
        var data = FromItems(userId, items.Select((item, i) => (CallbackContext.Required(item?.Tag, $"Tag in ProfileItem {i}"), item!.Value)), b.OperatorAccount);
        if (!Fields(data).Any())
        {
            return new CallbackParseResult.Ignored(ImType, "no-relayed-field");
        }
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, userId, CallbackContext.Stamp(b.EventTime),
            Fingerprints.Hash([.. ImEchoParts(data)]));
        return new CallbackParseResult.Accepted(new ImProfileChanged(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(ProfileChangedData data) => EchoParts(data);

    /// <summary>The echo parts of a profile change, one per field; the history import tags its profile writes with them too.</summary>
    public static IReadOnlyList<string> EchoParts(ProfileChangedData data)
        => [.. Fields(data).Select(f => $"profile:{data.UserId}:{f.Tag}:{Fingerprints.Hash(ValueText(f.Value))}")];

    /// <summary>
    /// A change from IM profile items (tag and value): the tags the gateway relays, the others left out. A value of
    /// the wrong kind throws <see cref="InvalidCallbackException"/>.
    /// </summary>
    public static ProfileChangedData FromItems(string userId, IEnumerable<(string Tag, JsonElement Value)> items, string? operatorAccount = null)
    {
        var data = new ProfileChangedData(userId, Operator: operatorAccount);
        Dictionary<string, JsonElement>? custom = null;
        foreach (var (tag, value) in items)
        {
            data = tag switch
            {
                ImProfileTags.Nick => data with { Nick = Text(value, tag) },
                ImProfileTags.Image => data with { FaceUrl = Text(value, tag) },
                ImProfileTags.Gender => data with { Gender = Text(value, tag) },
                ImProfileTags.SelfSignature => data with { SelfSignature = Text(value, tag) },
                ImProfileTags.BirthDay => data with { Birthday = Number(value, tag) },
                _ => data,
            };
            if (tag.StartsWith(ImProfileTags.CustomPrefix, StringComparison.Ordinal))
            {
                (custom ??= new(StringComparer.Ordinal))[tag] = value.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? value.Clone()
                    : throw new InvalidCallbackException($"has a {tag} value that is neither a string nor a number");
            }
        }
        return data with { Custom = custom };
    }

    public override IReadOnlyList<string> LegacyEchoParts(ProfileChangedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, ProfileChangedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.PortraitSet,
            new PortraitSetRequest(data.UserId, [.. Fields(data).Select(f => new ProfileItemRequest(f.Tag, f.Value))]),
            Accounts: [data.UserId])]);

    /// <summary>The changed fields as IM tags and values, in a fixed order (one echo part each).</summary>
    public static IEnumerable<(string Tag, JsonElement Value)> Fields(ProfileChangedData d)
    {
        if (d.Nick is not null) yield return (ImProfileTags.Nick, JsonSerializer.SerializeToElement(d.Nick));
        if (d.FaceUrl is not null) yield return (ImProfileTags.Image, JsonSerializer.SerializeToElement(d.FaceUrl));
        if (d.Gender is not null) yield return (ImProfileTags.Gender, JsonSerializer.SerializeToElement(d.Gender));
        if (d.Birthday is not null) yield return (ImProfileTags.BirthDay, JsonSerializer.SerializeToElement(d.Birthday.Value));
        if (d.SelfSignature is not null) yield return (ImProfileTags.SelfSignature, JsonSerializer.SerializeToElement(d.SelfSignature));
        foreach (var (tag, value) in (d.Custom ?? new Dictionary<string, JsonElement>()).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            yield return (tag, value);
        }
    }

    protected override ProfileChangedData Keep(ProfileChangedData data, IReadOnlyList<bool> suppressed)
    {
        var drop = Fields(data).Where((_, i) => suppressed[i]).Select(f => f.Tag).ToHashSet(StringComparer.Ordinal);
        var custom = data.Custom?.Where(c => !drop.Contains(c.Key)).ToDictionary(StringComparer.Ordinal);
        return data with
        {
            Nick = drop.Contains(ImProfileTags.Nick) ? null : data.Nick,
            FaceUrl = drop.Contains(ImProfileTags.Image) ? null : data.FaceUrl,
            Gender = drop.Contains(ImProfileTags.Gender) ? null : data.Gender,
            Birthday = drop.Contains(ImProfileTags.BirthDay) ? null : data.Birthday,
            SelfSignature = drop.Contains(ImProfileTags.SelfSignature) ? null : data.SelfSignature,
            Custom = custom is { Count: > 0 } ? custom : null,
        };
    }

    protected override void Validate(ProfileChangedData data, DeltaProblems problems)
    {
        problems.Require(data.UserId, "data.userId");
        const string limit = "IM's limit for a profile value";
        problems.MaxBytes(data.Nick, "data.nick", ImProfileTags.MaxValueBytes, limit);
        problems.MaxBytes(data.FaceUrl, "data.faceUrl", ImProfileTags.MaxValueBytes, limit);
        problems.MaxBytes(data.SelfSignature, "data.selfSignature", ImProfileTags.MaxValueBytes, limit);
        if (data.Gender is not null && !ImProfileTags.Genders.Contains(data.Gender))
        {
            problems.Add("data.gender", $"must be one of {string.Join(", ", ImProfileTags.Genders)}");
        }
        if (data.Birthday is < 0 or > uint.MaxValue)
        {
            problems.Add("data.birthday", "must be an unsigned 32-bit integer, e.g. 19900101");
        }
        foreach (var (tag, value) in data.Custom ?? new Dictionary<string, JsonElement>())
        {
            var field = $"data.custom.{tag}";
            if (!tag.StartsWith(ImProfileTags.CustomPrefix, StringComparison.Ordinal) || tag.Length == ImProfileTags.CustomPrefix.Length)
            {
                problems.Add(field, $"must be named {ImProfileTags.CustomPrefix}<name> (IM's custom profile tags)");
            }
            else if (!(value.ValueKind == JsonValueKind.String || (value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out _))))
            {
                problems.Add(field, "must be a string or an unsigned 32-bit integer");
            }
        }
        if (!Fields(data).Any())
        {
            problems.Add("data", "changes nothing: give at least one of nick, faceUrl, gender, birthday, selfSignature, custom");
        }
    }

    protected override LegacyProfileChanged NewLegacyEvent(EventMeta meta, ProfileChangedData data) => new(meta, data);

    private static string ValueText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Text(JsonElement value, string tag)
        => value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? ValueText(value)
            : throw new InvalidCallbackException($"has a {tag} value that is neither a string nor a number");

    private static long Number(JsonElement value, string tag)
        => value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var n) ? n
            : value.ValueKind == JsonValueKind.String && uint.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw new InvalidCallbackException($"has a {tag} value that is not an unsigned 32-bit integer");
}
