using System.Text.Json;
using SyncGateway.Events;
using SyncGateway.Im;
using SyncGateway.Messaging;

namespace SyncGateway.Import.Phases;

internal sealed record ProfileLine(string UserId, IReadOnlyList<ProfileItemRequest> Items);

/// <summary><c>profiles.jsonl</c>: one <c>portrait_set</c> per user.</summary>
internal sealed class ProfilesPhase : ImportPhase<ProfileLine>
{
    public ProfilesPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<ProfileLine>
            {
                Api = ImApi.PortraitSet,
                MaxItems = 1,
                Body = items => new PortraitSetRequest(items[0].UserId, items[0].Items),
                ImEchoes = items => items.SelectMany(line => ProfileChangedDeclaration.EchoParts(
                    ProfileChangedDeclaration.FromItems(line.UserId, line.Items.Select(item => (item.Tag, item.Value))))
                    .Select(part => (Conversations.User(line.UserId), part))),
            },
        ];

    public override string Name => ImportPhases.Profiles;

    public override IReadOnlyList<BatchRoute<ProfileLine>> Routes { get; }

    public override ProfileLine Parse(JsonElement line)
    {
        var userId = RequiredAccount(line, "userId");
        var profile = LineFields.OptionalProperty(line, "profile", JsonValueKind.Object)
            ?? throw new ImportInputException("missing required field \"profile\"");
        var items = new List<ProfileItemRequest>();
        foreach (var field in profile.EnumerateObject())
        {
            if (!field.Name.StartsWith("Tag_Profile_", StringComparison.Ordinal))
            {
                throw new ImportInputException($"profile tag \"{field.Name}\" must start with Tag_Profile_ (IM's standard or custom tags)");
            }
            var isValue = field.Value.ValueKind == JsonValueKind.String
                || (field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetUInt32(out _));
            if (!isValue)
            {
                throw new ImportInputException($"profile tag \"{field.Name}\" must be a string or an unsigned 32-bit integer");
            }
            items.Add(new ProfileItemRequest(field.Name, field.Value.Clone()));
        }
        return items.Count > 0
            ? new ProfileLine(userId, items)
            : throw new ImportInputException("field \"profile\" has no tags");
    }
}
