using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace SyncGateway.Hosting;

/// <summary>
/// One JSON object per line in the CLEF shape (<c>@t</c> time, <c>@l</c> level, <c>@m</c> message, <c>@x</c>
/// exception, <c>@tr</c>/<c>@sp</c> trace and span id, then the properties), with every value passed through the
/// <see cref="LogRedactor"/> before it is written.
/// </summary>
internal sealed class JsonLogFormatter(LogRedactor redactor) : ITextFormatter
{
    private static readonly JsonValueFormatter ValueFormatter = new(typeTagName: "$type");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        var properties = new Dictionary<string, LogEventPropertyValue>(logEvent.Properties.Count, StringComparer.Ordinal);
        foreach (var (name, value) in logEvent.Properties)
        {
            properties[name] = redactor.Redact(name, value);
        }

        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"@l\":\"");
        output.Write(logEvent.Level.ToString());
        output.Write("\",\"@m\":");
        JsonValueFormatter.WriteQuotedJsonString(redactor.Scrub(RenderMessage(logEvent.MessageTemplate, properties)), output);
        if (logEvent.Exception is not null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(redactor.Scrub(logEvent.Exception.ToString()), output);
        }
        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"@tr\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }
        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"@sp\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }
        foreach (var (name, value) in properties)
        {
            output.Write(',');
            // CLEF reserves names starting with '@'; a property that has one is escaped by doubling it.
            JsonValueFormatter.WriteQuotedJsonString(name.StartsWith('@') ? "@" + name : name, output);
            output.Write(':');
            ValueFormatter.Format(value, output);
        }
        output.Write('}');
        output.Write('\n');
    }

    // Like MessageTemplate.Render, but strings appear as themselves rather than quoted: "HTTP POST /im/callbacks".
    private static string RenderMessage(MessageTemplate template, Dictionary<string, LogEventPropertyValue> properties)
    {
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in template.Tokens)
        {
            if (token is PropertyToken { Format: null } property
                && properties.TryGetValue(property.PropertyName, out var value)
                && value is ScalarValue { Value: string text })
            {
                message.Write(text);
            }
            else
            {
                token.Render(properties, message, CultureInfo.InvariantCulture);
            }
        }
        return message.ToString();
    }
}
