using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>What legacy and IM hold after a round of messages, against what each side sent.</summary>
/// <param name="FromIm">Messages sent by IM users.</param>
/// <param name="FromLegacy">Messages sent by legacy users (a re-sent delta counts once).</param>
/// <param name="Missing">Messages the other side (or IM, for either) does not hold.</param>
/// <param name="OutOfOrder">Conversation sides whose messages the other side holds in another order than they were sent.</param>
/// <param name="EchoesToLegacy">Copies of legacy's own messages relayed back to it (echoes not suppressed).</param>
/// <param name="EchoesIntoIm">Extra copies in IM of IM users' messages (their legacy echo applied).</param>
/// <param name="RepeatsAtLegacy">Extra deliveries of a message to legacy; <paramref name="RepeatsWithOtherId"/> of them under another CloudEvent id.</param>
/// <param name="RepeatsWithOtherId">Repeats legacy could not dedupe by the event id.</param>
/// <param name="RepeatsInIm">Extra copies in IM of legacy users' messages.</param>
internal sealed record MessageRound(
    int FromIm, int FromLegacy, int Missing, int OutOfOrder, int EchoesToLegacy, int EchoesIntoIm, int RepeatsAtLegacy, int RepeatsWithOtherId, int RepeatsInIm)
{
    public int Echoes => EchoesToLegacy + EchoesIntoIm;

    public int Duplicates => RepeatsAtLegacy + RepeatsInIm;
}

/// <summary>
/// The randomized two-way run: users on both sides write into the same conversations at once; the legacy system
/// reports everything it receives back (some echoes with syncorigin, some without), IM calls back for every write of
/// the gateway, and the legacy system re-sends some deltas. Round one is messages, round two every other change.
/// </summary>
internal sealed class TwoWayRandomized
{
    public const int Pairs = 20;
    public const int Groups = 10;
    private const int MessageChanges = 240;
    private const int FriendChanges = 30;

    private readonly TwoWaySync _sync;
    private readonly OutcomeCounter _outcomes;
    private readonly List<string> _groups;
    private readonly Random _random;

    private TwoWayRandomized(TwoWaySync sync, OutcomeCounter outcomes, List<string> groups, Random random)
    {
        _sync = sync;
        _outcomes = outcomes;
        _groups = groups;
        _random = random;
    }

    /// <summary>IM users create the groups, whose echoes must come back and be suppressed.</summary>
    public static async Task<TwoWayRandomized> StartAsync(TwoWaySync sync, OutcomeCounter outcomes)
    {
        var groups = new List<string>();
        for (var g = 0; g < Groups; g++)
        {
            groups.Add(await sync.Im.SimulateUserCreateGroupAsync($"owner{g}", $"group {g}", groupId: $"g_rand_{g}", members: [$"m{g}_1", $"m{g}_2"]));
        }
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, Groups, TimeSpan.FromSeconds(60));
        return new TwoWayRandomized(sync, outcomes, groups, new Random(42));
    }

    /// <summary>The conversations of the run (their CloudEvents subjects).</summary>
    public IEnumerable<string> Conversations
        => Enumerable.Range(0, Pairs).Select(i => $"c2c:ua{i}:ub{i}").Concat(_groups.Select(g => $"group:{g}"));

    /// <summary>
    /// Round one: <paramref name="events"/> messages, each side of each conversation sending its own in order, all of
    /// them at once (eight at a time). <paramref name="midway"/> starts when half are sent and runs beside the rest.
    /// Returns once both sides hold every message and nothing has moved for <paramref name="quiet"/>.
    /// </summary>
    public async Task<MessageRound> SendMessagesAsync(int events, TimeSpan limit, TimeSpan quiet, Func<Task>? midway = null)
    {
        var plan = Enumerable.Range(0, events)
            .Select(k => (K: k, OnIm: _random.Next(2) == 0, Conversation: _random.Next(Pairs + Groups), Resend: _random.NextDouble() < 0.05))
            .ToList();
        var streams = plan.GroupBy(step => (step.Conversation, step.OnIm)).ToList();
        using var gate = new SemaphoreSlim(8);
        var sent = 0;
        Task disruption = Task.CompletedTask;
        await Task.WhenAll(streams.Select(async stream =>
        {
            foreach (var step in stream)
            {
                await gate.WaitAsync();
                try
                {
                    await SendMessageAsync(step.K, step.OnIm, step.Conversation, step.Resend);
                }
                finally
                {
                    gate.Release();
                }
                if (Interlocked.Increment(ref sent) == events / 2 && midway is not null)
                {
                    disruption = Task.Run(midway);
                }
            }
        }));
        await disruption;

        var sentBy = streams.ToDictionary(s => (Key(s.Key.Conversation), s.Key.OnIm), s => s.Select(step => Text(step.K)).ToList());
        var fromIm = sentBy.Where(s => s.Key.OnIm).SelectMany(s => s.Value).ToHashSet(StringComparer.Ordinal);
        var fromLegacy = sentBy.Where(s => !s.Key.OnIm).SelectMany(s => s.Value).ToHashSet(StringComparer.Ordinal);
        await Eventually.AssertAsync(() => Task.FromResult(fromIm.IsSubsetOf(AtLegacy().Select(m => m.Text)) && fromIm.Concat(fromLegacy).All(InIm().SelectMany(c => c.Value).ToHashSet(StringComparer.Ordinal).Contains)),
            limit, "every message at the other side");
        await SettleAsync(quiet, limit);

        var atLegacy = AtLegacy();
        var inIm = InIm();
        var missing = fromIm.Count(t => !atLegacy.Any(m => m.Text == t)) + fromIm.Concat(fromLegacy).Count(t => !inIm.Values.Any(texts => texts.Contains(t)));
        var outOfOrder = sentBy.Count(side =>
        {
            var own = side.Value.ToHashSet(StringComparer.Ordinal);
            var held = side.Key.OnIm
                ? atLegacy.Where(m => m.Subject == side.Key.Item1).Select(m => m.Text)
                : inIm.GetValueOrDefault(side.Key.Item1, []);
            return !held.Where(own.Contains).Distinct().SequenceEqual(side.Value.Distinct());
        });
        var imRepeats = inIm.Values.SelectMany(texts => texts).GroupBy(t => t).Where(g => g.Count() > 1).ToList();
        var legacyRepeats = atLegacy.Where(m => fromIm.Contains(m.Text)).GroupBy(m => m.Text).Where(g => g.Count() > 1).ToList();
        return new MessageRound(
            fromIm.Count,
            fromLegacy.Count,
            missing,
            outOfOrder,
            EchoesToLegacy: atLegacy.Count(m => fromLegacy.Contains(m.Text)),
            EchoesIntoIm: imRepeats.Where(g => fromIm.Contains(g.Key)).Sum(g => g.Count() - 1),
            RepeatsAtLegacy: legacyRepeats.Sum(g => g.Count() - 1),
            RepeatsWithOtherId: legacyRepeats.Sum(g => g.Select(m => m.Id).Distinct().Count() - 1),
            RepeatsInIm: imRepeats.Where(g => fromLegacy.Contains(g.Key)).Sum(g => g.Count() - 1));
    }

    private async Task SendMessageAsync(int k, bool onIm, int conversation, bool resend)
    {
        var text = Text(k);
        var isGroup = conversation >= Pairs;
        var (a, b) = ($"ua{conversation}", $"ub{conversation}");
        var groupId = isGroup ? _groups[conversation - Pairs] : null;
        if (onIm)
        {
            if (isGroup)
            {
                await _sync.Im.SimulateUserGroupMessageAsync(groupId!, $"m{conversation - Pairs}_1", text);
            }
            else
            {
                await _sync.Im.SimulateUserC2CMessageAsync(a, b, text);
            }
            return;
        }
        var delta = isGroup
            ? LegacyDeltaSender.Delta("legacy.group.message.sent", $"lg-{k}",
                new JsonObject { ["groupId"] = groupId, ["from"] = $"legacy_{k % 7}", ["body"] = Body(text) })
            : LegacyDeltaSender.Delta("legacy.c2c.message.sent", $"lg-{k}",
                new JsonObject { ["from"] = b, ["to"] = a, ["body"] = Body(text) });
        for (var send = 0; send < (resend ? 2 : 1); send++)
        {
            using var answer = await _sync.Legacy.SendAsync(delta);
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }
    }

    /// <summary>Waits until legacy has answered every echo and nothing (deliveries, IM calls, outcomes) moved for <paramref name="quiet"/>.</summary>
    private async Task SettleAsync(TimeSpan quiet, TimeSpan limit)
    {
        await Eventually.AssertAsync(() => Task.FromResult(_sync.EchoAnswers.Count == _sync.Gateway.Legacy.Accepted), limit, "legacy reported every event back");
        var last = Progress();
        var since = DateTimeOffset.UtcNow;
        await Eventually.AssertAsync(() =>
        {
            var now = Progress();
            if (now != last)
            {
                (last, since) = (now, DateTimeOffset.UtcNow);
            }
            return Task.FromResult(DateTimeOffset.UtcNow - since >= quiet && _sync.EchoAnswers.Count == _sync.Gateway.Legacy.Accepted);
        }, limit, $"nothing moved for {quiet}");
    }

    private (int, int, int, long) Progress() => (_sync.Gateway.Legacy.Accepted, _sync.EchoAnswers.Count, _sync.Im.Calls.Count, _outcomes.Total);

    private List<(string Subject, string Text, string Id)> AtLegacy()
        => [.. _sync.Gateway.Legacy.Received
            .Where(e => e.Type is "im.c2c.message.sent" or "im.group.message.sent")
            .Select(e => (e.Subject, e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!, e.Id))];

    /// <summary>The texts IM holds per conversation, in IM's order.</summary>
    private Dictionary<string, List<string>> InIm()
        => Enumerable.Range(0, Pairs).Select(i => (Key: $"c2c:ua{i}:ub{i}", Texts: _sync.Im.GetC2CMessages($"ua{i}", $"ub{i}").Select(m => Text(m.MsgBody)).ToList()))
            .Concat(_groups.Select(g => (Key: $"group:{g}", Texts: _sync.Im.GetGroup(g)!.Messages.Select(m => Text(m.MsgBody)).ToList())))
            .ToDictionary(c => c.Key, c => c.Texts, StringComparer.Ordinal);

    private string Key(int conversation) => conversation >= Pairs ? $"group:{_groups[conversation - Pairs]}" : $"c2c:ua{conversation}:ub{conversation}";

    private static string Text(int k) => $"ev-{k}";

    /// <summary>
    /// The second round, on the messages, users and groups of the first: recalls, edits, read marks, profile changes,
    /// friend changes, member roles and name cards, and owners, each made by a user on one side or the other at random,
    /// all at once. Each change names its own
    /// message, user or pair, so the end state does not depend on the order the two sides' changes meet in. At the end
    /// legacy has received exactly the changes made in IM (no echo of its own), and IM holds every change of both sides.
    /// </summary>
    public async Task ChangeEverythingElseAsync(TimeSpan limit)
    {
        var (sync, outcomes, groups, random) = (_sync, _outcomes, _groups, _random);
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

    /// <summary>A message of the first round as IM holds it: a 1:1 message by <c>MsgKey</c>, a group message by group and <c>MsgSeq</c>.</summary>
    private sealed record Msg(string From, string? To, string? GroupId, string? MsgKey, long MsgSeq, string Text);

    private static JsonArray Body(string text)
        => [new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = text } }];

    private static string Text(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
