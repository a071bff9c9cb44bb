using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SyncGateway.Tests.Deployment;

/// <summary>
/// A chart template read as YAML without Helm: lines that hold only template actions (<c>if</c>, <c>range</c>,
/// <c>with</c>, <c>toYaml</c> blocks, variables) are dropped and every other action becomes a placeholder scalar, so a
/// test can check the manifest's shape and which expression fills each field. Both branches of an <c>if</c>/<c>else</c>
/// would stay, so the templates read this way keep such blocks to lines that do not repeat a key.
/// </summary>
internal sealed partial class ChartTemplate
{
    private readonly List<string> actions = [];

    private ChartTemplate(string text)
    {
        Text = text;
        var lines = text.Split('\n')
            .Where(line => !string.IsNullOrWhiteSpace(Action().Replace(line, "")))
            .Select(line => Action().Replace(line, match =>
            {
                actions.Add(match.Value);
                return $"TPL{(actions.Count - 1).ToString(CultureInfo.InvariantCulture)}TPL";
            }));
        var stream = new YamlStream();
        stream.Load(new StringReader(string.Join('\n', lines)));
        Root = (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public string Text { get; }

    public YamlMappingNode Root { get; }

    public static ChartTemplate Load(string path) => new(File.ReadAllText(path));

    /// <summary>The node at a path of mapping keys (strings) and sequence indexes (ints).</summary>
    public static YamlNode Node(YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step is int index
                ? ((YamlSequenceNode)node).Children[index]
                : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        }
        return node;
    }

    /// <summary>A scalar's text, each placeholder put back as the template action it stands for.</summary>
    public string ScalarIn(YamlNode node, params object[] path)
        => Placeholder().Replace(((YamlScalarNode)Node(node, path)).Value ?? "", match => actions[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)]);

    public string Scalar(params object[] path) => ScalarIn(Root, path);

    public static IEnumerable<YamlNode> Sequence(YamlNode node, params object[] path) => ((YamlSequenceNode)Node(node, path)).Children;

    /// <summary>The expression a template variable is set to: <c>int .Values.x</c> for <c>{{- $name := int .Values.x }}</c>.</summary>
    public string Variable(string name)
    {
        var match = Regex.Match(Text, @"\{\{-?\s*\$" + Regex.Escape(name) + @"\s*:=\s*(.+?)\s*-?\}\}");
        Assert.True(match.Success, $"the template sets no ${name}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex(@"TPL(\d+)TPL")]
    private static partial Regex Placeholder();
}
