using System.Text;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class JsonInputTests
{
    [Fact]
    public void Accepts_ordinary_json_with_escapes_and_surrogate_pairs()
    {
        Assert.Null(JsonInput.Check(Encoding.UTF8.GetBytes("""{"a":[{"Text":"caf\u00e9 \ud83d\ude00 😀 \"quoted\""}],"n":1}""")));
    }

    [Fact]
    public void Refuses_an_empty_body()
        => Assert.Equal(new JsonInputProblem("$", "the body is empty"), JsonInput.Check([]));

    [Fact]
    public void Refuses_bytes_that_are_not_utf8()
        => Assert.Equal("the body is not valid UTF-8", JsonInput.Check([.. "{\"Text\":\""u8, 0xC3, 0x28, .. "\"}"u8])!.Message);

    [Theory]
    [InlineData("""{"MsgBody":[{"MsgContent":{"Text":"\ud800"}}]}""", "$.MsgBody[0].MsgContent.Text")]
    [InlineData("""[{"id":"a"},{"id":"x\udc00y"}]""", "$[1].id")]
    [InlineData("""{"a":{"b":"ok"},"c":["ok","\ud83d"]}""", "$.c[1]")]
    public void Names_where_a_lone_surrogate_stands(string body, string path)
    {
        var problem = JsonInput.Check(Encoding.UTF8.GetBytes(body));

        Assert.Equal(path, problem?.Path);
        Assert.Contains("unpaired UTF-16 surrogate", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_lone_surrogate_in_a_property_name()
        => Assert.Contains("surrogate", JsonInput.Check(Encoding.UTF8.GetBytes("""{"\ud800":1}"""))!.Message, StringComparison.Ordinal);

    [Fact]
    public void Accepts_nesting_up_to_the_limit_and_refuses_one_level_more()
    {
        Assert.Null(JsonInput.Check(Nested(JsonInput.MaxDepth)));

        var problem = JsonInput.Check(Nested(JsonInput.MaxDepth + 1));

        Assert.Equal($"is nested deeper than {JsonInput.MaxDepth} levels", problem?.Message);
    }

    [Fact]
    public void Refuses_text_that_is_not_json_with_the_readers_position()
    {
        var problem = JsonInput.Check("{\"a\":"u8);

        Assert.Equal("$", problem?.Path);
        Assert.StartsWith("is not valid JSON", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_a_broken_string_as_absent_instead_of_throwing()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"ok":"x","broken":"\ud800"}""");

        Assert.Equal("x", JsonInput.TryGetString(document.RootElement.GetProperty("ok")));
        Assert.Null(JsonInput.TryGetString(document.RootElement.GetProperty("broken")));
    }

    private static byte[] Nested(int levels)
        => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "{}" + new string('}', levels - 1));
}
