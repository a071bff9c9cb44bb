using System.Reflection;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Deployment;

/// <summary>
/// Every setting the gateway reads, as <c>Section__Key</c> environment variable names, found by reflection over the
/// options classes (those with <c>const string SectionName</c>), so a new option cannot be forgotten by the chart.
/// </summary>
internal static class AppConfigurationKeys
{
    /// <summary>
    /// Sections the deployed service never reads: <c>Import</c> belongs to the <c>import</c> command, which an operator
    /// runs from a shell or a one-off Job with its own flags, not in the chart's Deployment.
    /// </summary>
    private static readonly string[] NotServiceSections = ["Import"];

    /// <summary>
    /// Dictionary settings, one variable per entry: the chart names entries it sets (<c>Admin__Tokens__ops</c>) and
    /// needs none.
    /// </summary>
    public static readonly string[] NamedEntryPrefixes = ["Admin__Tokens__"];

    public static IReadOnlyList<string> All() =>
    [
        .. typeof(HealthEndpoints).Assembly.GetTypes()
            .Select(type => (Type: type, Section: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(options => options.Section is { IsLiteral: true } && options.Section.FieldType == typeof(string)
                && !NotServiceSections.Contains((string)options.Section.GetRawConstantValue()!))
            .SelectMany(options => Keys((string)options.Section!.GetRawConstantValue()!, options.Type))
            .Order(StringComparer.Ordinal),
    ];

    private static IEnumerable<string> Keys(string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }
            var name = $"{prefix}__{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (NamedEntryPrefixes.Contains(name + "__"))
            {
                continue;
            }
            if (IsScalar(propertyType))
            {
                yield return name;
            }
            else if (propertyType.IsClass && !typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType))
            {
                foreach (var nested in Keys(name, propertyType))
                {
                    yield return nested;
                }
            }
            else
            {
                throw new NotSupportedException($"{name}: collections need an explicit mapping in the chart and in this list.");
            }
        }
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri)
           || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Guid);
}
