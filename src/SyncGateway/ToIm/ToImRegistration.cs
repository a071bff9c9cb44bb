using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;

namespace SyncGateway.ToIm;

internal static partial class ToImRegistration
{
    /// <summary>The legacy → IM writer: IM REST client, dedupe, echo suppression and origin tags.</summary>
    public static IHostApplicationBuilder AddToIm(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ToImOptions>(ToImOptions.SectionName, Validate);
        builder.AddImRestClient();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OriginTags>();
        builder.AddLedger();
        builder.Services.TryAddSingleton<ConversationHolds>();
        // Transient like the typed HttpClient it uses, so the client handler rotates (DNS changes are picked up).
        builder.Services.AddTransient<ImWriter>();
        return builder;
    }


    internal static IEnumerable<string> Validate(ToImOptions options)
    {
        if (options.AddMembersBatchSize is < 1 or > 300)
        {
            yield return "ToIm:AddMembersBatchSize must be between 1 and 300 (IM's current limit is 20).";
        }
        if (options.DeleteMembersBatchSize is < 1 or > 100)
        {
            yield return "ToIm:DeleteMembersBatchSize must be between 1 and 100.";
        }
        if (options.CreateGroupMembersLimit is < 0 or > 100)
        {
            yield return "ToIm:CreateGroupMembersLimit must be between 0 and 100.";
        }
        if (options.KeepTimeOlderThanSeconds < 0)
        {
            yield return "ToIm:KeepTimeOlderThanSeconds must be 0 (off) or more.";
        }
        if (!FriendAddSource().IsMatch(options.FriendAddSource ?? ""))
        {
            yield return "ToIm:FriendAddSource must be AddSource_Type_ followed by 1 to 8 letters (IM's rule).";
        }
    }

    [GeneratedRegex("^AddSource_Type_[A-Za-z]{1,8}$")]
    private static partial Regex FriendAddSource();
}
