using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Repair;
using SyncGateway.Store;
using SyncGateway.ToIm;

namespace SyncGateway.Tests.ToIm;

public sealed class ToImRegistrationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
            [KeyValuePair.Create("Im:SdkAppId", (string?)"1400000001"), .. settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))]);
        builder.AddStore();
        builder.AddRepair();
        builder.AddToIm();
        return builder.Services.BuildServiceProvider();
    }

    [Fact]
    public void Resolves_the_writer_with_the_IM_client_and_default_batch_sizes()
    {
        using var services = Build();

        Assert.NotNull(services.GetRequiredService<ImWriter>());
        Assert.IsType<ImRestClient>(services.GetRequiredService<IImRestClient>());
        var options = services.GetRequiredService<IOptions<ToImOptions>>().Value;
        Assert.Equal((20, 100, 100), (options.AddMembersBatchSize, options.DeleteMembersBatchSize, options.CreateGroupMembersLimit));
    }

    [Fact]
    public void Resolves_the_message_ledger_and_rejects_a_ttl_out_of_range_naming_the_key()
    {
        using (var services = Build())
        {
            Assert.NotNull(services.GetRequiredService<MessageLedger>());
            Assert.True(services.GetRequiredService<IOptions<ToImOptions>>().Value.ImportMissingAccounts);
        }
        using var invalid = Build(("Ledger:MessageTtlDays", "0"));

        var error = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<LedgerOptions>>().Value).Message;

        Assert.Contains("Ledger:MessageTtlDays", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_batch_sizes_IM_does_not_take_naming_the_keys()
    {
        using var services = Build(("ToIm:AddMembersBatchSize", "0"), ("ToIm:DeleteMembersBatchSize", "500"), ("ToIm:CreateGroupMembersLimit", "101"));

        var errors = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ToImOptions>>().Value).Message;

        Assert.Contains("ToIm:AddMembersBatchSize", errors, StringComparison.Ordinal);
        Assert.Contains("ToIm:DeleteMembersBatchSize", errors, StringComparison.Ordinal);
        Assert.Contains("ToIm:CreateGroupMembersLimit", errors, StringComparison.Ordinal);
    }
}
