using System.CommandLine;

namespace SyncGateway.Hosting;

/// <summary>How the commands read their command lines.</summary>
internal static class CommandLineParsing
{
    /// <summary>Parses without response files: a token starting with <c>@</c> is a value, as IM's group ids are (<c>@TGS#…</c>).</summary>
    public static ParseResult ParseWithoutResponseFiles(this RootCommand root, IReadOnlyList<string> args)
        => root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
}
