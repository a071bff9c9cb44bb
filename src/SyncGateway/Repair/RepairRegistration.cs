using SyncGateway.Hosting;
using SyncGateway.Messaging;
using SyncGateway.Spool;

namespace SyncGateway.Repair;

internal static class RepairRegistration
{
    /// <summary>
    /// The gap repair: its tracking on the relay path and the repairers always (the tracking is a no-op when off), the
    /// automatic worker when <c>Repair:Enabled</c> (default: on with RabbitMQ).
    /// </summary>
    public static IHostApplicationBuilder AddRepair(this IHostApplicationBuilder builder)
    {
        var rabbitMq = !string.IsNullOrWhiteSpace(builder.ReadOptions<RabbitMqOptions>(RabbitMqOptions.SectionName).Uri);
        var on = builder.ReadOptions<RepairOptions>(RepairOptions.SectionName).IsOn(rabbitMq);
        builder.AddRepairers(new RepairSwitch(on));
        builder.Services.AddSingleton<MissedCallbacks>();
        if (on)
        {
            builder.Services.AddSingleton(Heartbeat.NextTo(builder.ReadOptions<SpoolOptions>(SpoolOptions.SectionName).Path));
            builder.Services.AddHostedService<RepairWorker>();
        }
        return builder;
    }

    /// <summary>The repair's options, state and repairers without the automatic worker: what the <c>repair</c> command runs on.</summary>
    public static IHostApplicationBuilder AddRepairers(this IHostApplicationBuilder builder, RepairSwitch repairSwitch)
    {
        builder.AddValidatedOptions<RepairOptions>(RepairOptions.SectionName, RepairOptions.Validate);
        builder.Services.AddSingleton(repairSwitch);
        builder.Services.AddSingleton<RepairState>();
        builder.Services.AddSingleton<RepairPublisher>();
        builder.Services.AddSingleton<GroupBaseline>();
        builder.Services.AddSingleton<GroupRepairer>();
        builder.Services.AddSingleton<GroupStateRepairer>();
        builder.Services.AddSingleton<C2CRepairer>();
        builder.Services.AddSingleton<GroupSweep>();
        return builder;
    }
}
