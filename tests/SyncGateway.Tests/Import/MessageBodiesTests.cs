using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class MessageBodiesTests
{
    private static readonly MessageElement Text = Element("TIMTextElem", """{"Text":"look"}""");
    private static readonly MessageElement Face = Element("TIMFaceElem", """{"Index":3}""");
    private static readonly MessageElement Image = Element("TIMImageElem", """{"UUID":"i1","ImageFormat":1,"ImageInfoArray":[{"Type":1,"URL":"https://cdn.example.com/1.jpg"}]}""");
    private static readonly MessageElement File = Element("TIMFileElem", """{"Url":"https://cdn.example.com/f.pdf","UUID":"f1","FileName":"f.pdf","Download_Flag":2}""");
    private static readonly MessageElement Card = Element("TIMCustomElem", """{"Data":"{\"card\":7}","Desc":"[card]","Ext":"app.card"}""");

    [Fact]
    public void A_group_message_with_several_media_and_custom_elements_gets_one_custom_element_carrying_them_all_in_order()
    {
        var body = MessageBodies.ToImGroupImport([Text, Image, Face, File, Card, Text]);

        Assert.Equal(["TIMTextElem", "TIMCustomElem", "TIMFaceElem", "TIMTextElem"], body.Select(element => element.MsgType));
        var custom = body[1].MsgContent;
        Assert.Equal(MessageBodies.FoldedExt, custom.GetProperty("Ext").GetString());
        Assert.Equal("[image] [file] [card]", custom.GetProperty("Desc").GetString());
        var originals = JsonDocument.Parse(custom.GetProperty("Data").GetString()!).RootElement.EnumerateArray().ToList();
        Assert.Equal(["TIMImageElem", "TIMFileElem", "TIMCustomElem"], originals.Select(original => original.GetProperty("MsgType").GetString()));
        AssertSameJson(Image.MsgContent, originals[0].GetProperty("MsgContent"));
        AssertSameJson(File.MsgContent, originals[1].GetProperty("MsgContent"));
        AssertSameJson(Card.MsgContent, originals[2].GetProperty("MsgContent"));
    }

    [Fact]
    public void A_group_message_with_one_media_element_gets_it_converted_alone()
    {
        var body = MessageBodies.ToImGroupImport([Text, Image]);

        Assert.Equal(["TIMTextElem", "TIMCustomElem"], body.Select(element => element.MsgType));
        Assert.Equal(MessageBodies.ConvertedExt, body[1].MsgContent.GetProperty("Ext").GetString());
        Assert.Equal("[image]", body[1].MsgContent.GetProperty("Desc").GetString());
        var original = JsonDocument.Parse(body[1].MsgContent.GetProperty("Data").GetString()!).RootElement;
        Assert.Equal("TIMImageElem", original.GetProperty("MsgType").GetString());
        AssertSameJson(Image.MsgContent, original.GetProperty("MsgContent"));
    }

    [Fact]
    public void A_group_message_with_one_custom_element_and_no_media_is_sent_unchanged()
    {
        var body = MessageBodies.ToImGroupImport([Card, Text, Face]);

        AssertUnchanged([Card, Text, Face], body);
    }

    [Fact]
    public void A_1to1_message_keeps_its_media_and_gets_its_several_custom_elements_as_one()
    {
        var second = Element("TIMCustomElem", """{"Data":"{\"poll\":1}"}""");

        var body = MessageBodies.ToIm([Image, Card, Text, second, File]);

        Assert.Equal(["TIMImageElem", "TIMCustomElem", "TIMTextElem", "TIMFileElem"], body.Select(element => element.MsgType));
        Assert.Equal(Image.MsgContent.GetRawText(), body[0].MsgContent.GetRawText());
        var custom = body[1].MsgContent;
        Assert.Equal(MessageBodies.FoldedExt, custom.GetProperty("Ext").GetString());
        Assert.Equal("[card]", custom.GetProperty("Desc").GetString());
        var originals = JsonDocument.Parse(custom.GetProperty("Data").GetString()!).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, originals.Count);
        AssertSameJson(Card.MsgContent, originals[0].GetProperty("MsgContent"));
        AssertSameJson(second.MsgContent, originals[1].GetProperty("MsgContent"));
    }

    [Fact]
    public void A_1to1_message_with_media_and_one_custom_element_is_sent_unchanged()
    {
        var body = MessageBodies.ToIm([Image, File, Card, Text]);

        AssertUnchanged([Image, File, Card, Text], body);
    }

    private static void AssertUnchanged(IReadOnlyList<MessageElement> expected, IReadOnlyList<ImMsgElement> actual)
    {
        Assert.Equal(expected.Select(element => element.MsgType), actual.Select(element => element.MsgType));
        Assert.Equal(expected.Select(element => element.MsgContent.GetRawText()), actual.Select(element => element.MsgContent.GetRawText()));
    }

    private static void AssertSameJson(JsonElement expected, JsonElement actual)
        => Assert.True(JsonElement.DeepEquals(expected, actual), $"expected {expected.GetRawText()}, got {actual.GetRawText()}");

    private static MessageElement Element(string type, string content) => new(type, JsonDocument.Parse(content).RootElement.Clone());
}
