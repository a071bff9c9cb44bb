using System.Text.Json;
using SyncGateway.Im;

namespace SyncGateway.Tests.Im;

public sealed class ImMessageElementsTests
{
    [Theory]
    [InlineData("TIMTextElem", """{"Text":"hi"}""")]
    [InlineData("TIMFaceElem", """{"Index":12,"Data":"smile"}""")]
    [InlineData("TIMLocationElem", """{"Desc":"Office","Latitude":31.2304,"Longitude":121.4737}""")]
    [InlineData("TIMCustomElem", """{"Data":"{\"k\":1}","Desc":"[card]"}""")]
    [InlineData("TIMImageElem", """{"UUID":"x","ImageFormat":1,"ImageInfoArray":[]}""")]
    [InlineData("TIMSomeFutureElem", """{"Anything":{"goes":true}}""")]
    public void Accepts_content_as_IM_documents_it_and_passes_other_types_through(string type, string content)
        => Assert.Null(ImMessageElements.Problem(type, Parse(content)));

    [Theory]
    [InlineData("TIMTextElem", """{"Text":{"nested":"object"}}""", "Text of TIMTextElem must be a string")]
    [InlineData("TIMTextElem", """{"text":"lower case"}""", "needs Text for TIMTextElem")]
    [InlineData("TIMFaceElem", """{"Index":"12"}""", "Index of TIMFaceElem must be a number")]
    [InlineData("TIMLocationElem", """{"Desc":"Office","Latitude":31.2}""", "needs Longitude for TIMLocationElem")]
    [InlineData("TIMCustomElem", """{"Data":42}""", "Data of TIMCustomElem must be a string")]
    public void Names_what_IM_would_refuse(string type, string content, string problem)
        => Assert.Equal(problem, ImMessageElements.Problem(type, Parse(content)));

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
