using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Tests.Store;

/// <summary>
/// Redis Cluster runs a script or a transaction only when all its keys hash to one slot (CROSSSLOT otherwise), so
/// every store operation that takes several keys must build them around one hash tag.
/// </summary>
public sealed class ClusterSlotTests
{
    public static TheoryData<string> Conversations =>
        ["c2c:u_10086:u_20017", "group:@TGS#2KDFJ3ASL", "user:u_1", "group:a}b", "group:{x}", "c2c:{:}", "group:" + new string('g', 200)];

    [Fact]
    public void Computes_slots_as_Redis_Cluster_does()
    {
        // Values CLUSTER KEYSLOT answers.
        Assert.Equal(12739, HashSlots.Of("123456789"));
        Assert.Equal(12182, HashSlots.Of("foo"));
        Assert.Equal(8363, HashSlots.Of("foo{}{bar}"));
        Assert.Equal(4015, HashSlots.Of("foo{{bar}}zap"));
        Assert.Equal(HashSlots.Of("bar"), HashSlots.Of("foo{bar}{zap}"));
    }

    [Fact]
    public void Only_the_origin_tag_operations_take_several_keys()
    {
        var multiKey = typeof(IKeyValueStore).GetMethods().Where(m => m.GetParameters().Count(IsKey) > 1).Select(m => m.Name).Order(StringComparer.Ordinal);

        // A new one must keep its keys in one slot too, and be covered below.
        Assert.Equal([nameof(IKeyValueStore.AddOnceAsync), nameof(IKeyValueStore.TakeOnceAsync)], multiKey);
    }

    [Theory]
    [MemberData(nameof(Conversations))]
    public async Task Every_origin_tag_operation_keeps_its_keys_in_one_slot(string conversation)
    {
        var store = Substitute.For<IKeyValueStore>();
        var tags = new OriginTags(store, Options.Create(new SyncOptions()));
        string[] parts = ["c2c:u_1:u_2:3057718812", "grp:join:@TGS#1:u_1", "x}y", "{z", ""];

        await tags.ExpectImEchoesAsync("lg-1", conversation, parts);
        await tags.TakeImEchoesAsync("im-1", conversation, parts);
        await tags.ExpectLegacyEchoesAsync("im-1", conversation, parts);
        await tags.TakeLegacyEchoesAsync("lg-2", conversation, parts);
        await tags.TakeLegacyOriginAsync("lg-3", conversation, "im-1", parts);

        var calls = store.ReceivedCalls().ToList();
        Assert.Equal(5, calls.Count);
        var prefix = new RedisOptions().KeyPrefix;
        foreach (var call in calls)
        {
            var arguments = call.GetArguments();
            string[] keys = [(string)arguments[0]!, .. (IReadOnlyList<string>)arguments[1]!];
            Assert.True(keys.Length > parts.Length, "the guard or decision and a counter per part");
            Assert.Single(keys.Select(key => HashSlots.Of(prefix + key)).Distinct());
        }
    }

    [Theory]
    [InlineData("app{1}:")]
    [InlineData("app}:")]
    public void Refuses_a_key_prefix_with_a_brace(string prefix)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:KeyPrefix"] = prefix });
        builder.AddStore();
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RedisOptions>>().Value);
        Assert.Equal(["Redis:KeyPrefix must not contain '{' or '}'"], error.Failures);
    }

    private static bool IsKey(ParameterInfo parameter)
        => parameter.Name!.EndsWith("Key", StringComparison.Ordinal) || parameter.Name.EndsWith("Keys", StringComparison.Ordinal);
}
