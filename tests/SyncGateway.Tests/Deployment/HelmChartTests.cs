using System.Text.RegularExpressions;
using SyncGateway.Hosting;
using YamlDotNet.RepresentationModel;

namespace SyncGateway.Tests.Deployment;

public sealed partial class HelmChartTests
{
    private static readonly string Root = RepositoryFiles.Root;
    private static readonly string ChartDirectory = Path.Combine(Root, "helm", "sync-gateway");

    /// <summary>Settings that hold credentials: they must come from the existing Secret, never the ConfigMap.</summary>
    private static readonly string[] SecretKeys =
        ["Im__CallbackToken", "Im__SecretKey", "Legacy__SigningSecret", "Legacy__IngressSecret", "RabbitMq__Uri", "Redis__Configuration"];

    [Fact]
    public void Chart_yaml_names_the_chart_and_its_app_version()
    {
        var chart = Load("Chart.yaml");

        Assert.Equal("v2", Scalar(chart, "apiVersion"));
        Assert.Equal("sync-gateway", Scalar(chart, "name"));
        Assert.Equal("application", Scalar(chart, "type"));
        Assert.Matches(@"^\d+\.\d+\.\d+", Scalar(chart, "version"));
        Assert.Matches(@"^\d+\.\d+\.\d+", Scalar(chart, "appVersion"));
    }

    [Fact]
    public void Every_setting_the_app_reads_has_a_value_in_the_chart()
    {
        var values = Load("values.yaml");
        var inChart = Keys(values, "config").Concat(Keys(values, "secrets", "keys")).Concat(TemplateEnvNames()).ToHashSet(StringComparer.Ordinal);

        var missing = AppConfigurationKeys.All().Where(key => !inChart.Contains(key)).ToList();

        Assert.True(missing.Count == 0, $"Add to helm/sync-gateway/values.yaml (config, or secrets.keys for credentials): {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_chart_names_only_settings_the_app_reads()
    {
        var known = AppConfigurationKeys.All().ToHashSet(StringComparer.Ordinal);

        // Serilog's section is read by Serilog.Settings.Configuration, not by an options class.
        var values = Load("values.yaml");
        var unknown = Keys(values, "config").Concat(Keys(values, "secrets", "keys"))
            .Where(key => !known.Contains(key) && !key.StartsWith("Serilog__", StringComparison.Ordinal))
            .ToList();

        Assert.True(unknown.Count == 0, $"values.yaml has keys no options class reads (typo or removed option?): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Credentials_come_only_from_the_existing_secret()
    {
        var values = Load("values.yaml");
        var config = Keys(values, "config").ToList();
        var secrets = Keys(values, "secrets", "keys").ToList();
        var sensitive = AppConfigurationKeys.All().Where(key => LogRedactor.IsSensitiveName(key[(key.IndexOf("__", StringComparison.Ordinal) + 2)..]));

        Assert.All(SecretKeys.Union(sensitive), key =>
        {
            Assert.Contains(key, secrets);
            Assert.DoesNotContain(key, config);
        });
        Assert.Equal("", Scalar(values, "secrets", "existingSecret"));
        Assert.DoesNotContain(Templates(), template => template.Name == "secret.yaml");
        Assert.Contains("required \"secrets.existingSecret is required", Template("deployment.yaml"), StringComparison.Ordinal);
        Assert.Contains("secretKeyRef", Template("deployment.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Probes_point_at_the_health_endpoints()
    {
        var values = Load("values.yaml");

        Assert.Equal(HealthEndpoints.LivePath, Scalar(values, "livenessProbe", "httpGet", "path"));
        Assert.Equal(HealthEndpoints.ReadyPath, Scalar(values, "readinessProbe", "httpGet", "path"));
        Assert.Equal(HealthEndpoints.LivePath, Scalar(values, "startupProbe", "httpGet", "path"));
        var deployment = Template("deployment.yaml");
        Assert.Contains("toYaml .Values.livenessProbe", deployment, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.readinessProbe", deployment, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.startupProbe", deployment, StringComparison.Ordinal);
    }

    [Fact]
    public void The_container_runs_non_root_with_a_read_only_root_and_no_capabilities()
    {
        var values = Load("values.yaml");

        Assert.Equal("true", Scalar(values, "securityContext", "runAsNonRoot"));
        Assert.Equal("true", Scalar(values, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Scalar(values, "securityContext", "allowPrivilegeEscalation"));
        var drop = (YamlSequenceNode)Node(values, "securityContext", "capabilities", "drop");
        Assert.Contains(drop.Children, cap => ((YamlScalarNode)cap).Value == "ALL");
        Assert.Contains("mountPath: /tmp", Template("deployment.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_tag_defaults_to_the_app_version_and_the_port_matches_the_Dockerfile()
    {
        var values = Load("values.yaml");

        Assert.Equal("", Scalar(values, "image", "tag"));
        Assert.Contains(".Values.image.tag | default .Chart.AppVersion", Template("deployment.yaml"), StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {Scalar(values, "containerPort")}", File.ReadAllText(Path.Combine(Root, "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_is_configured_through_the_standard_OTEL_variables()
    {
        var deployment = Template("deployment.yaml");

        Assert.All(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"], name =>
            Assert.Contains($"name: {name}", deployment, StringComparison.Ordinal));
    }

    [Fact]
    public void Optional_resources_are_off_or_on_as_documented()
    {
        var values = Load("values.yaml");

        Assert.Equal("false", Scalar(values, "autoscaling", "enabled"));
        Assert.Equal("true", Scalar(values, "podDisruptionBudget", "enabled"));
        Assert.StartsWith("{{- if .Values.autoscaling.enabled }}", Template("hpa.yaml"), StringComparison.Ordinal);
        Assert.StartsWith("{{- if .Values.podDisruptionBudget.enabled }}", Template("pdb.yaml"), StringComparison.Ordinal);
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(ChartDirectory, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode Node(YamlMappingNode root, params string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return node;
    }

    private static string Scalar(YamlMappingNode root, params string[] path) => ((YamlScalarNode)Node(root, path)).Value ?? "";

    private static IEnumerable<string> Keys(YamlMappingNode root, params string[] path)
        => ((YamlMappingNode)Node(root, path)).Children.Keys.Select(key => ((YamlScalarNode)key).Value!);

    private static IEnumerable<FileInfo> Templates() => new DirectoryInfo(Path.Combine(ChartDirectory, "templates")).EnumerateFiles();

    private static string Template(string name) => File.ReadAllText(Path.Combine(ChartDirectory, "templates", name));

    private static IEnumerable<string> TemplateEnvNames()
        => Templates().SelectMany(file => EnvName().Matches(File.ReadAllText(file.FullName)).Select(match => match.Value));

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*__[A-Za-z0-9_]+\b")]
    private static partial Regex EnvName();
}
