using System.Text.RegularExpressions;
using Serilog.Events;

namespace SyncGateway.Hosting;

/// <summary>
/// The safety net between a log event and stdout: masks values of sensitive-looking properties, <c>name=value</c>
/// pairs, JSON members and URI credentials in any text, and the configured secret values wherever they appear.
/// Code should never log a secret; this catches the day it does (or a library does).
/// </summary>
internal sealed partial class LogRedactor
{
    public const string Mask = "***";

    // Values shorter than this are too likely to occur by chance ("guest", "60") to be masked everywhere.
    private const int MinimumSecretLength = 8;

    private readonly string[] _secrets;

    public LogRedactor(IEnumerable<string> secretValues)
        => _secrets = [.. secretValues
            .Where(IsMaskableSecret)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(secret => secret.Length)];

    /// <summary>Collects secret values from configuration: keys with sensitive names, and credentials inside URIs and connection strings.</summary>
    public static LogRedactor FromConfiguration(IConfiguration configuration)
    {
        var secrets = new List<string>();
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            if (IsSensitiveName(key[(key.LastIndexOf(':') + 1)..]))
            {
                // A setting may list several secrets (key rotation): each is masked on its own too.
                secrets.Add(value);
                secrets.AddRange(value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            }
            secrets.AddRange(EmbeddedCredential().Matches(value).Select(match => match.Groups["secret"].Value));
        }
        return new LogRedactor(secrets);
    }

    public static bool IsSensitiveName(string name) => SensitiveName().IsMatch(name);

    public string Scrub(string text)
    {
        // Each pattern needs a marker in the text; checking the markers first keeps ordinary lines off the regexes
        // (the benchmark's profile put the redactor at 6 % of the gateway's CPU).
        var scrubbed = text;
        if (SensitiveName().IsMatch(text) || text.Contains("pwd", StringComparison.OrdinalIgnoreCase))
        {
            scrubbed = NameValuePair().Replace(scrubbed, "${name}" + Mask);
            scrubbed = JsonMember().Replace(scrubbed, "${name}" + Mask + "\"");
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            scrubbed = UriCredentials().Replace(scrubbed, "${prefix}" + Mask + "@");
        }
        if (text.Contains("bearer", StringComparison.OrdinalIgnoreCase) || text.Contains("basic", StringComparison.OrdinalIgnoreCase))
        {
            scrubbed = AuthorizationScheme().Replace(scrubbed, "${scheme} " + Mask);
        }
        foreach (var secret in _secrets)
        {
            scrubbed = scrubbed.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return scrubbed;
    }

    public LogEventPropertyValue Redact(string name, LogEventPropertyValue value)
        => IsSensitiveName(name) ? new ScalarValue(Mask) : Redact(value);

    private LogEventPropertyValue Redact(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => ScrubbedScalar(text, value),
        ScalarValue { Value: null or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal or DateTime or DateTimeOffset or TimeSpan or Guid or Enum } => value,
        ScalarValue scalar => ScrubbedScalar(Convert.ToString(scalar.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", value),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Redact)),
        StructureValue structure => new StructureValue(
            structure.Properties.Select(property => new LogEventProperty(property.Name, Redact(property.Name, property.Value))),
            structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(entry => KeyValuePair.Create(
            entry.Key,
            entry.Key.Value is string key ? Redact(key, entry.Value) : Redact(entry.Value)))),
        _ => value,
    };

    private LogEventPropertyValue ScrubbedScalar(string text, LogEventPropertyValue original)
    {
        var scrubbed = Scrub(text);
        return scrubbed == text ? original : new ScalarValue(scrubbed);
    }

    private static bool IsMaskableSecret(string value)
        => value.Length >= MinimumSecretLength
           && !bool.TryParse(value, out _)
           && !double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _);

    // Not "pwd" on its own: the PWD environment variable (the working directory) is in configuration too.
    private const string SensitiveWords = "token|secret|sig|password|passwd|authorization|apikey|api_key|credential|cookie";

    [GeneratedRegex(SensitiveWords, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitiveName();

    // Query strings, form bodies and connection strings: Sign=..., usersig=..., password=..., Pwd=...
    [GeneratedRegex(@"(?<name>\b[\w.-]*(?:" + SensitiveWords + @"|pwd)[\w.-]*\s*=\s*)[^&\s,;""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NameValuePair();

    [GeneratedRegex(@"(?<name>""[\w.-]*(?:" + SensitiveWords + @")[\w.-]*""\s*:\s*"")(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonMember();

    [GeneratedRegex(@"(?<prefix>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]+:)[^@/?#\s]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UriCredentials();

    [GeneratedRegex(@"(?<scheme>\b(?:bearer|basic))\s+[A-Za-z0-9._~+/=-]{8,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"(?:\b[a-z][a-z0-9+.-]*://[^:/?#@\s]+:(?<secret>[^@/?#\s]+)@)|(?:\bpassword\s*=\s*(?<secret>[^,;\s]+))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddedCredential();
}
