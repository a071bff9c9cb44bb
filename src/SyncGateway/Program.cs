using SyncGateway.Hosting;
using SyncGateway.ImCallbacks;
using SyncGateway.LegacyIngress;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.ToLegacy;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddHealth();
builder.AddStore();
builder.AddImCallbacks();
builder.AddToLegacy();
builder.AddLegacyIngress();
builder.AddMessaging(bus =>
{
    bus.AddToLegacyConsumers();
});

var app = builder.Build();

app.UseRequestLogging();
app.MapHealth();
app.MapImCallbacks();
app.MapLegacyIngress();
app.MapDevelopmentReceiver();

app.Run();

public partial class Program;
