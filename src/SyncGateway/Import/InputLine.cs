namespace SyncGateway.Import;

/// <summary>One non-empty line of an input file, kept verbatim for the rejects file.</summary>
internal sealed record InputLine(string File, long Number, string Text)
{
    public string Position => $"{File}:{Number}";
}

/// <summary>An input line that breaks the format (docs/import-format.md). The message names the problem, not the line.</summary>
internal sealed class ImportInputException(string message) : Exception(message);
