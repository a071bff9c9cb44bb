using SyncGateway.ImCallbacks;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.ToLegacy;

var builder = WebApplication.CreateBuilder(args);

builder.AddStore();
builder.AddImCallbacks();
builder.AddToLegacy();
builder.AddMessaging(bus =>
{
    bus.AddToLegacyConsumers();
});

var app = builder.Build();

app.MapImCallbacks();
app.MapDevelopmentReceiver();

app.Run();

public partial class Program;
