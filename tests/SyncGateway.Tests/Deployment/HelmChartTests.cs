using System.Globalization;
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
            .Where(key => !known.Contains(key) && !key.StartsWith("Serilog__", StringComparison.Ordinal)
                && !AppConfigurationKeys.NamedEntryPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
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
        Assert.Contains("required \"secrets.existingSecret is required", Template("statefulset.yaml"), StringComparison.Ordinal);
        Assert.Contains("secretKeyRef", Template("statefulset.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Probes_point_at_the_health_endpoints()
    {
        var values = Load("values.yaml");

        Assert.Equal(HealthEndpoints.LivePath, Scalar(values, "livenessProbe", "httpGet", "path"));
        Assert.Equal(HealthEndpoints.ReadyPath, Scalar(values, "readinessProbe", "httpGet", "path"));
        Assert.Equal(HealthEndpoints.LivePath, Scalar(values, "startupProbe", "httpGet", "path"));
        var workload = Template("statefulset.yaml");
        Assert.Contains("toYaml .Values.livenessProbe", workload, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.readinessProbe", workload, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.startupProbe", workload, StringComparison.Ordinal);
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
        Assert.Contains("mountPath: /tmp", Template("statefulset.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_tag_defaults_to_the_app_version_and_the_port_matches_the_Dockerfile()
    {
        var values = Load("values.yaml");

        Assert.Equal("", Scalar(values, "image", "tag"));
        Assert.Contains(".Values.image.tag | default .Chart.AppVersion", Template("statefulset.yaml"), StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {Scalar(values, "containerPort")}", File.ReadAllText(Path.Combine(Root, "Dockerfile")), StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_is_configured_through_the_standard_OTEL_variables()
    {
        var workload = Template("statefulset.yaml");

        Assert.All(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"], name =>
            Assert.Contains($"name: {name}", workload, StringComparison.Ordinal));
    }

    [Fact]
    public void Optional_resources_are_off_or_on_as_documented()
    {
        var values = Load("values.yaml");

        Assert.Equal("false", Scalar(values, "autoscaling", "enabled"));
        Assert.Equal("true", Scalar(values, "podDisruptionBudget", "enabled"));
        Assert.StartsWith("{{- if .Values.autoscaling.enabled }}", Template("hpa.yaml"), StringComparison.Ordinal);
        Assert.StartsWith("{{- if .Values.podDisruptionBudget.enabled }}", Template("pdb.yaml"), StringComparison.Ordinal);
        Assert.Equal("false", Scalar(values, "monitoring", "prometheusRule", "enabled"));
        Assert.StartsWith("{{- if .Values.monitoring.prometheusRule.enabled }}", Template("prometheusrule.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_workload_is_a_StatefulSet_that_mounts_its_volume_claim_at_the_spool_directory()
    {
        var workload = Workload();
        var values = Load("values.yaml");

        Assert.Equal("StatefulSet", workload.Scalar("kind"));
        Assert.DoesNotContain(Templates(), template => template.Name == "deployment.yaml");
        var claim = Assert.Single(ChartTemplate.Sequence(workload.Root, "spec", "volumeClaimTemplates"));
        var claimName = workload.ScalarIn(claim, "metadata", "name");
        var mount = Assert.Single(ChartTemplate.Sequence(Container(workload), "volumeMounts"), mount => workload.ScalarIn(mount, "name") == claimName);
        var spoolPath = Env(workload)["Spool__Path"];
        Assert.Equal(spoolPath[..spoolPath.LastIndexOf('/')], workload.ScalarIn(mount, "mountPath"));
        Assert.Equal("{{ .Values.spool.size | quote }}", workload.ScalarIn(claim, "spec", "resources", "requests", "storage"));
        Assert.Equal("Retain", workload.Scalar("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"));
        Assert.Equal("Retain", workload.Scalar("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"));
        Assert.Equal("2Gi", Scalar(values, "spool", "size"));
        Assert.Equal("", Scalar(values, "spool", "storageClassName"));
        Assert.Equal(new[] { "ReadWriteOnce" }, ((YamlSequenceNode)Node(values, "spool", "accessModes")).Children.Select(mode => ((YamlScalarNode)mode).Value));
    }

    [Fact]
    public void The_StatefulSet_has_a_headless_governing_service_and_keeps_the_regular_one()
    {
        var workload = Workload();
        var headless = ChartTemplate.Load(TemplatePath("service-headless.yaml"));
        var service = ChartTemplate.Load(TemplatePath("service.yaml"));

        Assert.Equal(headless.Scalar("metadata", "name"), workload.Scalar("spec", "serviceName"));
        Assert.Equal("None", headless.Scalar("spec", "clusterIP"));
        Assert.Equal("Service", service.Scalar("kind"));
        Assert.Equal("{{ .Values.service.type }}", service.Scalar("spec", "type"));
    }

    [Fact]
    public void The_autoscaler_scales_the_StatefulSet()
    {
        var hpa = ChartTemplate.Load(TemplatePath("hpa.yaml"));

        Assert.Equal("StatefulSet", hpa.Scalar("spec", "scaleTargetRef", "kind"));
        Assert.Equal(Workload().Scalar("metadata", "name"), hpa.Scalar("spec", "scaleTargetRef", "name"));
    }

    [Fact]
    public void A_rollout_keeps_a_pod_taking_callbacks_because_the_StatefulSet_has_two_replicas_or_more()
    {
        var values = Load("values.yaml");

        Assert.True(int.Parse(Scalar(values, "replicaCount"), CultureInfo.InvariantCulture) >= 2);
        Assert.True(int.Parse(Scalar(values, "autoscaling", "minReplicas"), CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("RollingUpdate", Workload().Scalar("spec", "updateStrategy", "type"));
    }

    [Fact]
    public void The_preStop_sleep_drains_and_the_grace_period_is_drain_plus_timeout_plus_ten_seconds()
    {
        var workload = Workload();
        var values = Load("values.yaml");

        Assert.Equal("int .Values.shutdown.drainDelaySeconds", workload.Variable("drain"));
        Assert.Equal("int .Values.shutdown.timeoutSeconds", workload.Variable("timeout"));
        Assert.Equal("add $drain $timeout 10", workload.Variable("grace"));
        var command = ChartTemplate.Sequence(Container(workload), "lifecycle", "preStop", "exec", "command").Select(part => workload.ScalarIn(part));
        Assert.Equal(new[] { "sleep", "{{ $drain | quote }}" }, command);
        Assert.Equal("{{ $grace }}", workload.Scalar("spec", "template", "spec", "terminationGracePeriodSeconds"));
        Assert.Equal("5", Scalar(values, "shutdown", "drainDelaySeconds"));
        Assert.Equal("20", Scalar(values, "shutdown", "timeoutSeconds"));
        Assert.DoesNotContain("terminationGracePeriodSeconds", Keys(values));
        Assert.Contains("hasKey .Values \"terminationGracePeriodSeconds\"", workload.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gateway_gets_the_spool_path_no_drain_delay_of_its_own_and_the_shutdown_timeout()
    {
        var env = Env(Workload());

        Assert.Equal("/var/lib/sync-gateway/spool.db", env["Spool__Path"]);
        Assert.Equal("0", env["Shutdown__DrainDelaySeconds"]);
        Assert.Equal("{{ $timeout | quote }}", env["Shutdown__TimeoutSeconds"]);
    }

    [Fact]
    public void The_image_sets_the_spool_path_the_chart_uses_on_a_volume_the_app_user_owns()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var spoolPath = Env(Workload())["Spool__Path"];
        var directory = spoolPath[..spoolPath.LastIndexOf('/')];

        Assert.Equal(spoolPath, DockerfileSpoolPath().Match(dockerfile).Groups[1].Value);
        Assert.Contains($"install -d -o \"$APP_UID\" -g \"$APP_UID\" -m 0750 {directory}", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"VOLUME [\"{directory}\"]", dockerfile, StringComparison.Ordinal);
    }

    private static ChartTemplate Workload() => ChartTemplate.Load(TemplatePath("statefulset.yaml"));

    private static YamlNode Container(ChartTemplate workload) => Assert.Single(ChartTemplate.Sequence(workload.Root, "spec", "template", "spec", "containers"));

    private static Dictionary<string, string> Env(ChartTemplate workload)
        => ChartTemplate.Sequence(Container(workload), "env")
            .Where(entry => ((YamlMappingNode)entry).Children.ContainsKey(new YamlScalarNode("value")))
            .ToDictionary(entry => workload.ScalarIn(entry, "name"), entry => workload.ScalarIn(entry, "value"), StringComparer.Ordinal);

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

    private static string TemplatePath(string name) => Path.Combine(ChartDirectory, "templates", name);

    private static string Template(string name) => File.ReadAllText(TemplatePath(name));

    private static IEnumerable<string> TemplateEnvNames()
        => Templates().SelectMany(file => EnvName().Matches(File.ReadAllText(file.FullName)).Select(match => match.Value));

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*__[A-Za-z0-9_]+\b")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"\bSpool__Path=(\S+)")]
    private static partial Regex DockerfileSpoolPath();
}
