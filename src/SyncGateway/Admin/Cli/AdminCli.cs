using System.CommandLine;
using System.Runtime.InteropServices;

namespace SyncGateway.Admin.Cli;

/// <summary>
/// <c>SyncGateway admin &lt;command&gt;</c>: the admin API from a shell (status, event lookups, pause and resume,
/// faults). The bearer token comes from <c>SYNCGW_ADMIN_TOKEN</c> only, never from a flag, so it stays out of shell
/// history and process lists; nothing prints it.
/// </summary>
internal static class AdminCli
{
    public const string TokenVariable = "SYNCGW_ADMIN_TOKEN";

    public const string Description = "SyncGateway: Tencent IM ↔ legacy chat sync";

    private const int Succeeded = 0;
    private const int Failed = 1;
    private const int Interrupted = 130;

    /// <summary>Parses <paramref name="args"/> (starting with <c>admin</c>) and makes the call; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, stop.Token);
    }

    /// <param name="args">The command line, starting with <c>admin</c>.</param>
    /// <param name="output">The answer: tables, or JSON with <c>--json</c>.</param>
    /// <param name="error">Invalid input and errors, one line each.</param>
    /// <param name="environment">Reads an environment variable (the token).</param>
    /// <param name="cancellationToken">Abandons the call (exit code 130).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(environment);
        var (parsed, invocation, errors) = new AdminCommandLine().Parse(args);
        if (errors.Count > 0)
        {
            foreach (var message in errors)
            {
                await error.WriteLineAsync("error: " + message);
            }
            return Failed;
        }
        if (invocation is null)
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }
        if (environment(TokenVariable)?.Trim() is not { Length: > 0 } token)
        {
            await error.WriteLineAsync($"error: {TokenVariable} is not set: export it with one of the gateway's admin tokens (its Admin__Token or an Admin__Tokens__<name>)");
            return Failed;
        }
        using var http = AdminClient.CreateHttpClient(invocation.Url, token);
        try
        {
            var answer = await new AdminClient(http).SendAsync(invocation.Request, cancellationToken);
            AdminConsole.For(output).Show(invocation.Request.View, invocation.Json, answer);
            return Succeeded;
        }
        catch (AdminCallException e)
        {
            await error.WriteLineAsync("error: " + e.Message);
            return Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Interrupted: a request already sent may have taken effect (admin status and admin faults show).");
            return Interrupted;
        }
    }

    /// <summary>The call <paramref name="args"/> make, or the errors naming what is wrong with them.</summary>
    public static (AdminInvocation? Invocation, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var (_, invocation, errors) = new AdminCommandLine().Parse(args);
        return (invocation, errors);
    }
}
