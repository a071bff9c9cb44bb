using SyncGateway.Admin;
using SyncGateway.Admin.Cli;
using SyncGateway.Hosting;
using SyncGateway.FromIm;
using SyncGateway.Import;
using SyncGateway.FromLegacy;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using SyncGateway.Spool;
using SyncGateway.Store;
using SyncGateway.ToIm;
using SyncGateway.ToLegacy;

if (args is ["import", ..])
{
    return await ImportCli.RunAsync(args);
}
if (args is ["repair", ..])
{
    return await RepairCli.RunAsync(args);
}
if (args is ["admin", ..])
{
    return await AdminCli.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddGracefulShutdown();
builder.AddErrorAnswers();
builder.AddIdleMemoryTrim();
builder.AddHealth();
builder.AddStore();
builder.AddImCallbacks();
builder.AddToLegacy();
builder.AddLegacyIngress();
builder.AddToIm();
builder.AddMessaging();
builder.AddRepair();
builder.AddAdmin();

var app = builder.Build();
if (!StartupChecks.Pass(app.Services, Console.Error))
{
    return 1;
}

app.UseRequestLogs();
app.UseAdmin();
app.UseErrorAnswers();
app.MapHealth();
app.MapPrometheusWhenEnabled();
app.MapImCallbacks();
app.MapLegacyIngress();
app.MapDevelopmentReceiver();

await app.RunAsync();
// A component that stops the gateway for a reason it logged sets a non-zero exit code (e.g. QueueDeclarationGuard).
return Environment.ExitCode;

public partial class Program;
