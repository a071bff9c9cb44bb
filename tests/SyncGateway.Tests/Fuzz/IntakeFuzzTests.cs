using System.Text;
using System.Text.Json;
using MassTransit.Serialization;
using System.Reflection;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Fakes.Fuzz;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Hosting;
using SyncGateway.ToIm;
using SyncGateway.ToLegacy;
using static SyncGateway.Tests.FromIm.CallbackSamples;

namespace SyncGateway.Tests.Fuzz;

/// <summary>
/// Seeded mutations of every callback command, of deltas and of batches through the intakes' own checks and parsers:
/// nothing throws, and whatever is accepted can be serialized onto the bus and written as a CloudEvent.
/// </summary>
public sealed class IntakeFuzzTests
{
    private const int MutationsPerInput = 400;

    private static readonly string[] Deltas =
    [
        """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.c2c.message.sent","time":"2025-01-15T06:00:00Z","data":{"from":"u_1","to":"u_2","msgTime":1736920800,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hi"}}]}}""",
        """{"specversion":"1.0","id":"lg-2","source":"/legacy","type":"legacy.group.message.sent","data":{"groupId":"g_1","from":"u_1","body":[{"msgType":"TIMCustomElem","msgContent":{"Data":"x","Ext":{"a":[1,2]}}}],"mentions":[{"atAll":true}]}}""",
        """{"specversion":"1.0","id":"lg-3","source":"/legacy","type":"legacy.group.created","data":{"groupId":"g_1","type":"Public","name":"n","owner":"u_1","members":["u_2"],"customFields":[{"key":"k","value":"v"}]}}""",
        """{"specversion":"1.0","id":"lg-4","source":"/legacy","type":"legacy.group.profile.changed","data":{"groupId":"g_1","name":"n2","faceUrl":"https://cdn.example.com/f.png"}}""",
        """{"specversion":"1.0","id":"lg-5","source":"/legacy","type":"legacy.group.member.joined","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":{"groupId":"g_1","members":["u_3","u_4"]}}""",
        """{"specversion":"1.0","id":"lg-6","source":"/legacy","type":"legacy.group.member.left","syncorigin":"im-1","data":{"groupId":"g_1","members":["u_3"]}}""",
        """{"specversion":"1.0","id":"lg-7","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g_1"}}""",
    ];

    public static TheoryData<int> Seeds => [1, 2, 3];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Callbacks_are_refused_or_accepted_cleanly_and_what_is_accepted_serializes(int seed)
    {
        var mutator = new InputMutator(seed);
        var parser = new ImCallbackParser(SdkAppId, relayUndeliveredC2CMessages: true);
        var accepted = 0;
        foreach (var (command, body) in AllBodies())
        {
            for (var i = 0; i < MutationsPerInput; i++)
            {
                var input = Encoding.UTF8.GetBytes(mutator.Mutate(body));
                if (JsonInput.Check(input) is not null)
                {
                    continue;
                }
                if (parser.Parse(command, input, ReceivedAt) is CallbackParseResult.Accepted { Event: var evt })
                {
                    AssertTravels(evt, input);
                    accepted++;
                }
            }
        }
        Assert.True(accepted > 0, "some mutations keep a callback valid");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Deltas_and_batches_are_refused_or_accepted_cleanly_and_what_is_accepted_serializes(int seed)
    {
        var mutator = new InputMutator(seed);
        var random = new Random(seed);
        var accepted = 0;
        for (var i = 0; i < MutationsPerInput * Deltas.Length; i++)
        {
            var batch = random.Next(3) == 0;
            var text = batch
                ? mutator.Mutate("[" + string.Join(',', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Deltas[random.Next(Deltas.Length)])) + "]")
                : mutator.Mutate(Deltas[random.Next(Deltas.Length)]);
            var input = Encoding.UTF8.GetBytes(text);

            var (events, errors) = CloudEventReader.Read(input, batch, ReceivedAt);

            if (errors.Count == 0)
            {
                Assert.All(events, evt => AssertTravels(evt, input));
                accepted += events.Count;
            }
        }
        Assert.True(accepted > 0, "some mutations keep a delta valid");
    }

    private static void AssertTravels(ISyncEvent evt, byte[] input)
    {
        try
        {
            JsonSerializer.SerializeToUtf8Bytes(evt, evt.GetType(), SystemTextJsonMessageSerializer.Options);
            var data = evt.GetType().GetProperty(nameof(ISyncEvent<object>.Data))!.GetValue(evt)!;
            CloudEventWriter.Write(evt.Meta, data, null, null);
            // What the relays do with it: echo parts both ways and, towards IM, the REST calls.
            var declaration = EventCatalog.All.Single(d => d.ImEvent == evt.GetType() || d.LegacyEvent == evt.GetType());
            var contract = typeof(IEventDeclaration<>).MakeGenericType(data.GetType());
            contract.GetMethod(nameof(IEventDeclaration<object>.ImEchoParts))!.Invoke(declaration, [data]);
            contract.GetMethod(nameof(IEventDeclaration<object>.LegacyEchoParts))!.Invoke(declaration, [data]);
            contract.GetMethod(nameof(IEventDeclaration<object>.ToIm))!.Invoke(declaration, [evt.Meta, data, new ImWriteSettings(true, new ToImOptions(), DateTimeOffset.UnixEpoch)]);
        }
        catch (Exception e) when (e is TargetInvocationException { InnerException: { } inner })
        {
            Assert.Fail($"accepted but not relayable ({inner.GetType().Name}: {inner.Message}): {Encoding.UTF8.GetString(input)[..Math.Min(input.Length, 400)]}");
        }
        catch (Exception e)
        {
            Assert.Fail($"accepted but not serializable ({e.GetType().Name}: {e.Message}): {Encoding.UTF8.GetString(input)[..Math.Min(input.Length, 400)]}");
        }
    }

    private static IEnumerable<(string Command, string Body)> AllBodies()
        => All.Select(row => ((string)row[0], (string)row[1]));
}
