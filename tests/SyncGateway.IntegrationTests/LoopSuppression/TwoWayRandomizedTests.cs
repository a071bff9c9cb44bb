using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Messaging;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.LoopSuppression;

public sealed class TwoWayRandomizedTests
{
    private const int Events = 2000;
    private const int Pairs = 20;
    private const int Groups = 10;

    /// <summary>
    /// Users on both sides write into the same conversations at once; the legacy system reports everything it
    /// receives back (some echoes with syncorigin, some without), IM calls back for every write of the gateway, and
    /// the legacy system re-sends some deltas. At the end each side holds exactly what it should.
    /// </summary>
    [Fact]
    public async Task Both_directions_at_once_end_with_no_echo_no_loss_and_no_duplicate()
    {
        var random = new Random(42);
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed);
        var groups = new List<string>();
        for (var g = 0; g < Groups; g++)
        {
            groups.Add(await sync.Im.SimulateUserCreateGroupAsync($"owner{g}", $"group {g}", groupId: $"g_rand_{g}", members: [$"m{g}_1", $"m{g}_2"]));
        }
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, Groups, TimeSpan.FromSeconds(60));

        var fromIm = new ConcurrentBag<(string Conversation, string Text)>();
        var fromLegacy = new ConcurrentBag<(string Conversation, string Text)>();
        var plan = Enumerable.Range(0, Events).Select(k => (K: k, OnIm: random.Next(2) == 0, Conversation: random.Next(Pairs + Groups), Resend: random.NextDouble() < 0.05)).ToList();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (step, _) =>
        {
            var text = $"ev-{step.K}";
            var isGroup = step.Conversation >= Pairs;
            var (a, b) = ($"ua{step.Conversation}", $"ub{step.Conversation}");
            var groupId = isGroup ? groups[step.Conversation - Pairs] : null;
            var key = isGroup ? $"group:{groupId}" : $"c2c:{a}:{b}";
            if (step.OnIm)
            {
                if (isGroup)
                {
                    await sync.Im.SimulateUserGroupMessageAsync(groupId!, $"m{step.Conversation - Pairs}_1", text);
                }
                else
                {
                    await sync.Im.SimulateUserC2CMessageAsync(a, b, text);
                }
                fromIm.Add((key, text));
                return;
            }
            var delta = isGroup
                ? LegacyDeltaSender.Delta("legacy.group.message.sent", $"lg-{step.K}",
                    new JsonObject { ["groupId"] = groupId, ["from"] = $"legacy_{step.K % 7}", ["body"] = Body(text) })
                : LegacyDeltaSender.Delta("legacy.c2c.message.sent", $"lg-{step.K}",
                    new JsonObject { ["from"] = b, ["to"] = a, ["body"] = Body(text) });
            for (var send = 0; send < (step.Resend ? 2 : 1); send++)
            {
                using var answer = await sync.Legacy.SendAsync(delta);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            }
            fromLegacy.Add((key, text));
        });

        var limit = TimeSpan.FromMinutes(4);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed, fromIm.Count, limit);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied, fromLegacy.Count, limit);
        // Every relay to legacy comes back as an echo delta, every write to IM as a callback: all must be suppressed.
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, Groups + fromIm.Count, limit);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, fromLegacy.Count, limit);

        var legacyHolds = sync.Gateway.Legacy.Received
            .Where(e => e.Type == "im.c2c.message.sent" || e.Type == "im.group.message.sent")
            .Select(e => (e.Subject, e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!))
            .Order().ToList();
        Assert.Equal(fromIm.Order().ToList(), legacyHolds);

        var imHolds = Enumerable.Range(0, Pairs)
            .SelectMany(i => sync.Im.GetC2CMessages($"ua{i}", $"ub{i}").Select(m => ($"c2c:ua{i}:ub{i}", Text(m.MsgBody))))
            .Concat(groups.SelectMany(g => sync.Im.GetGroup(g)!.Messages.Select(m => ($"group:{g}", Text(m.MsgBody)))))
            .Order().ToList();
        Assert.Equal(fromIm.Concat(fromLegacy).Order().ToList(), imHolds);
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
        Assert.True(outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Duplicate] > 0, "some deltas were re-sent and dropped as duplicates");

        await EveryOtherChangeAsync(sync, outcomes, groups, random, limit);
    }

    /// <summary>
    /// The second round, on the messages, users and groups of the first: recalls, edits, read marks, profile changes,
    /// friend changes, member roles and name cards, and owners, each made by a user on one side or the other at random,
    /// all at once. Each change names its own
    /// message, user or pair, so the end state does not depend on the order the two sides' changes meet in. At the end
    /// legacy has received exactly the changes made in IM (no echo of its own), and IM holds every change of both sides.
    /// </summary>
    private static async Task EveryOtherChangeAsync(TwoWaySync sync, OutcomeCounter outcomes, List<string> groups, Random random, TimeSpan limit)
    {
        // Every message with its legacy id: the delta id for one from legacy, the event id legacy received for one from IM.
        var legacyIdOfText = sync.Gateway.Legacy.Received
            .Where(e => e.Type is "im.c2c.message.sent" or "im.group.message.sent")
            .ToDictionary(e => e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!, e => e.Id);
        string LegacyId(string text) => legacyIdOfText.TryGetValue(text, out var id) ? id : "lg-" + text["ev-".Length..];
        var messages = Enumerable.Range(0, Pairs).SelectMany(i => sync.Im.GetC2CMessages($"ua{i}", $"ub{i}").Select(m => new Msg(m.From, m.To, null, m.MsgKey, m.MsgSeq, Text(m.MsgBody))))
            .Concat(groups.SelectMany(g => sync.Im.GetGroup(g)!.Messages.Select(m => new Msg(m.From, null, g, null, m.MsgSeq, Text(m.MsgBody)))))
            .OrderBy(_ => random.Next()).Take(MessageChanges).ToList();
        var users = Enumerable.Range(0, Pairs).SelectMany(i => new[] { $"ua{i}", $"ub{i}" }).ToList();

        var expectedAtLegacy = new ConcurrentBag<string>();
        var recalled = new ConcurrentBag<string>();
        var edited = new ConcurrentDictionary<string, string>();
        var readMarks = new ConcurrentDictionary<(string, string), long>();
        var nicks = new ConcurrentDictionary<string, string>();
        var friends = new ConcurrentBag<string>();
        var changes = messages.Select((m, j) => (Kind: random.Next(4), Message: (Msg?)m, J: j, OnIm: random.Next(2) == 0))
            .Concat(users.Select((u, j) => (Kind: 4 + random.Next(2), Message: (Msg?)null, J: j, OnIm: random.Next(2) == 0)))
            .Concat(Enumerable.Range(0, FriendChanges).Select(j => (Kind: 6, Message: (Msg?)null, J: j, OnIm: random.Next(2) == 0)))
            .Concat(groups.Select((_, g) => (Kind: 7 + random.Next(2), Message: (Msg?)null, J: g, OnIm: random.Next(2) == 0)))
            .OrderBy(_ => random.Next()).ToList();
        var members = new ConcurrentDictionary<(string Group, string Member), string>();
        var owners = new ConcurrentDictionary<string, string>();

        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (change, _) =>
        {
            var m = change.Message;
            var key = m is null ? null : m.GroupId is { } g ? $"{g}:{m.MsgSeq}" : m.MsgKey!;
            switch (change.Kind, change.OnIm)
            {
                case (0, true):
                    if (m!.GroupId is { } groupId)
                    {
                        await sync.Im.SimulateUserRecallGroupMessageAsync(groupId, m.From, m.MsgSeq);
                        expectedAtLegacy.Add($"im.group.message.recalled {LegacyId(m.Text)}");
                    }
                    else
                    {
                        await sync.Im.SimulateUserRecallC2CAsync(m.From, m.To!, m.MsgKey!);
                        expectedAtLegacy.Add($"im.c2c.message.recalled {LegacyId(m.Text)}");
                    }
                    recalled.Add(key!);
                    break;
                case (0, false):
                    await SendAsync(sync, m!.GroupId is { } recallGroup
                        ? LegacyDeltaSender.Delta("legacy.group.message.recalled", $"lg-recall-{change.J}", new JsonObject
                            { ["groupId"] = recallGroup, ["target"] = new JsonObject { ["legacyMessageId"] = LegacyId(m.Text) } })
                        : LegacyDeltaSender.Delta("legacy.c2c.message.recalled", $"lg-recall-{change.J}", new JsonObject
                            { ["from"] = m.From, ["to"] = m.To, ["target"] = new JsonObject { ["legacyMessageId"] = LegacyId(m.Text) } }));
                    recalled.Add(key!);
                    break;
                case (1, true):
                    var imEdit = $"edit-im-{change.J}";
                    if (m!.GroupId is { } editGroup)
                    {
                        await sync.Im.SimulateUserEditGroupMessageAsync(editGroup, m.MsgSeq, m.From, FakeImServer.TextBody(imEdit));
                        expectedAtLegacy.Add($"im.group.message.edited {LegacyId(m.Text)} {imEdit}");
                    }
                    else
                    {
                        await sync.Im.SimulateUserEditC2CAsync(m.MsgKey!, m.From, FakeImServer.TextBody(imEdit));
                        expectedAtLegacy.Add($"im.c2c.message.edited {LegacyId(m.Text)} {imEdit}");
                    }
                    edited[key!] = imEdit;
                    break;
                case (1, false):
                    var legacyEdit = $"edit-legacy-{change.J}";
                    await SendAsync(sync, m!.GroupId is { } legacyEditGroup
                        ? LegacyDeltaSender.Delta("legacy.group.message.edited", $"lg-edit-{change.J}", new JsonObject
                            { ["groupId"] = legacyEditGroup, ["target"] = new JsonObject { ["legacyMessageId"] = LegacyId(m.Text) }, ["body"] = Body(legacyEdit) })
                        : LegacyDeltaSender.Delta("legacy.c2c.message.edited", $"lg-edit-{change.J}", new JsonObject
                            { ["from"] = m.From, ["to"] = m.To, ["target"] = new JsonObject { ["legacyMessageId"] = LegacyId(m.Text) }, ["body"] = Body(legacyEdit) }));
                    edited[key!] = legacyEdit;
                    break;
                case (2 or 3, _):
                    // Messages left as they are: the other changes must not touch them.
                    break;
                case (4, _):
                    var (reader, peer, readUpTo) = (users[change.J], users[change.J ^ 1], 1_767_000_000L + change.J);
                    if (change.OnIm)
                    {
                        await sync.Im.SimulateUserReadC2CAsync(reader, peer, readUpTo);
                        expectedAtLegacy.Add($"im.c2c.message.read {reader}>{peer}@{readUpTo}");
                    }
                    else
                    {
                        await SendAsync(sync, LegacyDeltaSender.Delta("legacy.c2c.message.read", $"lg-read-{change.J}",
                            new JsonObject { ["reader"] = reader, ["peer"] = peer, ["readUpTo"] = readUpTo }));
                    }
                    readMarks[(reader, peer)] = readUpTo;
                    break;
                case (5, _):
                    var (user, nick) = (users[change.J], $"nick-{change.J}-{(change.OnIm ? "im" : "legacy")}");
                    if (change.OnIm)
                    {
                        await sync.Im.SimulateUserProfileChangeAsync(user, ("Tag_Profile_IM_Nick", JsonValue.Create(nick)));
                        expectedAtLegacy.Add($"im.profile.changed {user} {nick}");
                    }
                    else
                    {
                        await SendAsync(sync, LegacyDeltaSender.Delta("legacy.profile.changed", $"lg-profile-{change.J}", new JsonObject { ["userId"] = user, ["nick"] = nick }));
                    }
                    nicks[user] = nick;
                    break;
                case (6, true):
                    // An IM user befriends someone (both ways), and legacy ends one direction of it.
                    var (x, y) = ($"fx{change.J}", $"fy{change.J}");
                    await sync.Im.SimulateUserAddFriendAsync(x, y);
                    expectedAtLegacy.Add($"im.friend.added {x}>{y}");
                    expectedAtLegacy.Add($"im.friend.added {y}>{x}");
                    await SendAsync(sync, LegacyDeltaSender.Delta("legacy.friend.removed", $"lg-unfriend-{change.J}", new JsonObject { ["from"] = x, ["to"] = y }));
                    friends.Add($"{y}>{x}");
                    break;
                case (6, false):
                    // A legacy user befriends someone (one edge), and IM ends it once it is there.
                    var (p, q) = ($"fp{change.J}", $"fq{change.J}");
                    await SendAsync(sync, LegacyDeltaSender.Delta("legacy.friend.added", $"lg-friend-{change.J}", new JsonObject { ["from"] = p, ["to"] = q }));
                    await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetFriends(p).Contains(q)), limit, $"{p}>{q} in IM");
                    await sync.Im.SimulateUserDeleteFriendAsync(p, q, both: false);
                    expectedAtLegacy.Add($"im.friend.removed {p}>{q}");
                    break;
                case (7, _):
                    var (group, member, card) = (groups[change.J], $"m{change.J}_{(change.OnIm ? 1 : 2)}", $"card-{change.J}");
                    if (change.OnIm)
                    {
                        await sync.Im.SimulateUserChangeMemberAsync(group, $"owner{change.J}", member, "Admin", card);
                        expectedAtLegacy.Add($"im.group.member.changed {group} {member} Admin {card}");
                    }
                    else
                    {
                        await SendAsync(sync, LegacyDeltaSender.Delta("legacy.group.member.changed", $"lg-member-{change.J}",
                            new JsonObject { ["groupId"] = group, ["member"] = member, ["role"] = "Admin", ["nameCard"] = card }));
                    }
                    members[(group, member)] = $"Admin {card}";
                    break;
                case (8, _):
                    var (ownedGroup, newOwner) = (groups[change.J], $"m{change.J}_{(change.OnIm ? 1 : 2)}");
                    if (change.OnIm)
                    {
                        await sync.Im.SimulateUserTransferOwnershipAsync(ownedGroup, $"owner{change.J}", newOwner);
                        expectedAtLegacy.Add($"im.group.owner.changed {ownedGroup} {newOwner}");
                    }
                    else
                    {
                        await SendAsync(sync, LegacyDeltaSender.Delta("legacy.group.owner.changed", $"lg-owner-{change.J}",
                            new JsonObject { ["groupId"] = ownedGroup, ["newOwner"] = newOwner }));
                    }
                    owners[ownedGroup] = newOwner;
                    break;
            }
        });

        await Eventually.AssertAsync(() => Task.FromResult(NewTypeEvents(sync).Count >= expectedAtLegacy.Count), limit, "every IM change at legacy");
        await Eventually.AssertAsync(() => Task.FromResult(ImHoldsEveryChange(sync, messages, recalled, edited, readMarks, nicks)
            && members.All(m => sync.Im.GetGroup(m.Key.Group)!.Members.Single(x => x.Account == m.Key.Member) is var held && $"{held.Role} {held.NameCard}" == m.Value)
            && owners.All(o => sync.Im.GetGroup(o.Key)!.Owner == o.Value)), limit, "every change in IM");
        // Let any echo that was not suppressed arrive before comparing.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(expectedAtLegacy.Order(StringComparer.Ordinal), NewTypeEvents(sync).Order(StringComparer.Ordinal));
        Assert.True(ImHoldsEveryChange(sync, messages, recalled, edited, readMarks, nicks));
        Assert.Equal(friends.Order(StringComparer.Ordinal), Enumerable.Range(0, FriendChanges)
            .SelectMany(j => new[] { $"fx{j}", $"fy{j}", $"fp{j}", $"fq{j}" })
            .SelectMany(u => sync.Im.GetFriends(u).Select(f => $"{u}>{f}")).Order(StringComparer.Ordinal));
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
    }

    private static List<string> NewTypeEvents(TwoWaySync sync)
        => [.. sync.Gateway.Legacy.Received.Where(e => e.Type is not ("im.c2c.message.sent" or "im.group.message.sent" or "im.group.created")).Select(e => e.Type switch
        {
            "im.c2c.message.recalled" or "im.group.message.recalled" => $"{e.Type} {e.Data.GetProperty("target").GetProperty("legacyMessageId").GetString()}",
            "im.c2c.message.edited" or "im.group.message.edited" =>
                $"{e.Type} {e.Data.GetProperty("target").GetProperty("legacyMessageId").GetString()} {e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()}",
            "im.c2c.message.read" => $"{e.Type} {e.Data.GetProperty("reader").GetString()}>{e.Data.GetProperty("peer").GetString()}@{e.Data.GetProperty("readUpTo").GetInt64()}",
            "im.profile.changed" => $"{e.Type} {e.Data.GetProperty("userId").GetString()} {e.Data.GetProperty("nick").GetString()}",
            "im.group.member.changed" => $"{e.Type} {e.Data.GetProperty("groupId").GetString()} {e.Data.GetProperty("member").GetString()} {e.Data.GetProperty("role").GetString()} {e.Data.GetProperty("nameCard").GetString()}",
            "im.group.owner.changed" => $"{e.Type} {e.Data.GetProperty("groupId").GetString()} {e.Data.GetProperty("newOwner").GetString()}",
            _ => $"{e.Type} {e.Data.GetProperty("from").GetString()}>{e.Data.GetProperty("to").GetString()}",
        })];

    private static bool ImHoldsEveryChange(TwoWaySync sync, List<Msg> messages, ConcurrentBag<string> recalled,
        ConcurrentDictionary<string, string> edited, ConcurrentDictionary<(string, string), long> readMarks, ConcurrentDictionary<string, string> nicks)
    {
        var recalledKeys = recalled.ToHashSet(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            string key;
            bool isRecalled;
            JsonArray body;
            if (m.GroupId is { } g)
            {
                var stored = sync.Im.GetGroup(g)!.Messages.Single(s => s.MsgSeq == m.MsgSeq);
                (key, isRecalled, body) = ($"{g}:{m.MsgSeq}", stored.Recalled, stored.MsgBody);
            }
            else
            {
                var stored = sync.Im.FindC2CMessage(m.MsgKey!)!;
                (key, isRecalled, body) = (m.MsgKey!, stored.Recalled, stored.MsgBody);
            }
            if (isRecalled != recalledKeys.Contains(key) || Text(body) != edited.GetValueOrDefault(key, m.Text))
            {
                return false;
            }
        }
        return readMarks.All(r => sync.Im.GetReadMark(r.Key.Item1, r.Key.Item2) == r.Value)
            && nicks.All(n => sync.Im.GetProfile(n.Key).TryGetValue("Tag_Profile_IM_Nick", out var nick) && (string?)nick == n.Value);
    }

    private static async Task SendAsync(TwoWaySync sync, JsonObject delta)
    {
        using var answer = await sync.Legacy.SendAsync(delta);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    private const int MessageChanges = 240;
    private const int FriendChanges = 30;

    /// <summary>A message of the first round as IM holds it: a 1:1 message by <c>MsgKey</c>, a group message by group and <c>MsgSeq</c>.</summary>
    private sealed record Msg(string From, string? To, string? GroupId, string? MsgKey, long MsgSeq, string Text);

    private static JsonArray Body(string text)
        => [new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = text } }];

    private static string Text(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
