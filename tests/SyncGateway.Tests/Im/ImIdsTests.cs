using SyncGateway.Im;

namespace SyncGateway.Tests.Im;

public sealed class ImIdsTests
{
    [Theory]
    [InlineData("L-1001", 1411018992u)]
    [InlineData("G-99120", 4127478895u)]
    public void Random_is_the_first_four_bytes_of_the_ids_sha256_big_endian(string legacyId, uint expected)
        => Assert.Equal(expected, ImIds.RandomFor(legacyId));

    [Fact]
    public void Random_differs_between_ids()
        => Assert.NotEqual(ImIds.RandomFor("L-1"), ImIds.RandomFor("L-2"));
}
