namespace SyncGateway.Im;

/// <summary>IM's profile field tags (<c>portrait_set</c>, <c>Profile.CallbackPortraitSet</c>) that the gateway relays.</summary>
internal static class ImProfileTags
{
    public const string Nick = "Tag_Profile_IM_Nick";
    public const string Image = "Tag_Profile_IM_Image";
    public const string Gender = "Tag_Profile_IM_Gender";
    public const string BirthDay = "Tag_Profile_IM_BirthDay";
    public const string SelfSignature = "Tag_Profile_IM_SelfSignature";

    /// <summary>Custom fields are <c>Tag_Profile_Custom_</c> plus the name the app configured in IM's console.</summary>
    public const string CustomPrefix = "Tag_Profile_Custom_";

    public static readonly IReadOnlyList<string> Genders = ["Gender_Type_Unknown", "Gender_Type_Female", "Gender_Type_Male"];

    /// <summary>IM's limit for a profile string value, in UTF-8 bytes.</summary>
    public const int MaxValueBytes = 500;
}
