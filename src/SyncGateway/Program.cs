using SyncGateway.Hosting;
using SyncGateway.ImCallbacks;
using SyncGateway.LegacyIngress;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.ToIm;
using SyncGateway.ToLegacy;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddHealth();
builder.AddStore();
builder.AddImCallbacks();
builder.AddToLegacy();
builder.AddLegacyIngress();
builder.AddToIm();
builder.AddMessaging(bus =>
{
    bus.AddToLegacyConsumers();
    bus.AddToImConsumers();
});

var app = builder.Build();

app.UseRequestLogging();
app.MapHealth();
app.MapImCallbacks();
app.MapLegacyIngress();
app.MapDevelopmentReceiver();

app.Run();

public partial class Program;
