using System.Reflection;
using SyncGateway.Fakes.Im;
using SyncGateway.Im;

namespace SyncGateway.Tests.Fakes;

public sealed class FakeImApisTests
{
    [Fact]
    public void The_fake_serves_every_api_in_the_gateways_catalog()
    {
        var catalog = typeof(ImApi).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ImApi))
            .Select(f => ((ImApi)f.GetValue(null)!).ToString());

        // A superset: the fake serves the live-phase APIs (recall, edit, friends) before the gateway calls them.
        Assert.Subset(FakeImApis.All.ToHashSet(), catalog.ToHashSet());
    }

    [Fact]
    public void Lists_each_api_once()
    {
        Assert.Equal(FakeImApis.All.Count, FakeImApis.All.Distinct().Count());
    }
}
