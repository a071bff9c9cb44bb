using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Admin;

internal static class AdminRegistration
{
    /// <summary>
    /// The admin API, when a token is configured: a second listener at <c>Admin:Urls</c> beside the public one(s), the
    /// services its routes use and its OpenAPI document. Without a token it is off, and a start-up line says so.
    /// </summary>
    public static IHostApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AdminOptions>(AdminOptions.SectionName, Validate);
        var options = builder.ReadOptions<AdminOptions>(AdminOptions.SectionName);
        if (!AdminTokens.Configured(options).Any())
        {
            builder.Services.AddStartupWarning("The admin API is off: no Admin__Token or Admin__Tokens__<name> is set.");
            return builder;
        }
        builder.Services.AddSingleton(services => new AdminTokens(services.GetRequiredService<IOptions<AdminOptions>>().Value));
        builder.Services.AddSingleton<RelayQueueCounts>();
        builder.Services.AddSingleton<AdminFaults>();
        builder.Services.AddOpenApi("admin", openApi => openApi.ShouldInclude = description => description.RelativePath?.StartsWith("admin", StringComparison.Ordinal) == true);
        builder.WebHost.UseUrls([.. PublicUrls(builder.WebHost), options.Urls]);
        return builder;
    }

    /// <summary>Admin routes behind <see cref="AdminListener"/>; nothing when the admin API is off.</summary>
    public static WebApplication UseAdmin(this WebApplication app)
    {
        if (app.Services.GetService<AdminTokens>() is not { } tokens)
        {
            return app;
        }
        app.UseMiddleware<AdminListener>(tokens, AdminPort(app.Services.GetRequiredService<IOptions<AdminOptions>>().Value.Urls));
        app.MapAdmin();
        return app;
    }

    // UseUrls replaces the listeners, so the public ones are carried over: the URLs set (ASPNETCORE_URLS, --urls), else
    // the ports (ASPNETCORE_HTTP_PORTS, as the image sets), else Kestrel's default.
    private static IEnumerable<string> PublicUrls(ConfigureWebHostBuilder webHost)
    {
        if (webHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (webHost.GetSetting(WebHostDefaults.HttpPortsKey) is { Length: > 0 } ports)
        {
            return ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"http://*:{port}");
        }
        return ["http://localhost:5000"];
    }

    private static int AdminPort(string urls) => new Uri(urls).Port;

    internal static IEnumerable<string> Validate(AdminOptions options)
    {
        if (!Uri.TryCreate(options.Urls, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort || uri.AbsolutePath != "/")
        {
            yield return "Admin:Urls must be one http:// URL with an explicit port and no path (e.g. http://127.0.0.1:5081)";
        }
        foreach (var (name, secret) in AdminTokens.Configured(options))
        {
            if (secret.Length < AdminTokens.MinimumLength)
            {
                yield return $"Admin token '{name}' must be at least {AdminTokens.MinimumLength} characters";
            }
        }
        if (!string.IsNullOrEmpty(options.Token) && options.Tokens.ContainsKey(AdminTokens.DefaultName))
        {
            yield return "Admin:Token and Admin:Tokens:default name the same token: set one";
        }
    }
}
