namespace SyncGateway.Fakes.Im;

/// <summary>The REST APIs the fake serves, as <c>service/command</c> (the path after <c>/v4/</c>).</summary>
public static class FakeImApis
{
    public const string SendMsg = "openim/sendmsg";
    public const string ImportMsg = "openim/importmsg";
    public const string AdminSetMsgRead = "openim/admin_set_msg_read";
    public const string CreateGroup = "group_open_http_svc/create_group";
    public const string DestroyGroup = "group_open_http_svc/destroy_group";
    public const string ModifyGroupBaseInfo = "group_open_http_svc/modify_group_base_info";
    public const string AddGroupMember = "group_open_http_svc/add_group_member";
    public const string DeleteGroupMember = "group_open_http_svc/delete_group_member";
    public const string SendGroupMsg = "group_open_http_svc/send_group_msg";
    public const string ImportGroup = "group_open_http_svc/import_group";
    public const string ImportGroupMember = "group_open_http_svc/import_group_member";
    public const string ImportGroupMsg = "group_open_http_svc/import_group_msg";
    public const string SetUnreadMsgNum = "group_open_http_svc/set_unread_msg_num";
    public const string MultiAccountImport = "im_open_login_svc/multiaccount_import";
    public const string AccountImport = "im_open_login_svc/account_import";
    public const string AccountCheck = "im_open_login_svc/account_check";
    public const string PortraitSet = "profile/portrait_set";
    public const string FriendImport = "sns/friend_import";
    public const string AdminMsgWithdraw = "openim/admin_msgwithdraw";
    public const string GroupMsgRecall = "group_open_http_svc/group_msg_recall";
    public const string ModifyC2CMsg = "openim/modify_c2c_msg";
    // IM serves the group edit under openim, not group_open_http_svc.
    public const string ModifyGroupMsg = "openim/modify_group_msg";
    public const string FriendAdd = "sns/friend_add";
    public const string FriendDelete = "sns/friend_delete";
    public const string ModifyGroupMemberInfo = "group_open_http_svc/modify_group_member_info";
    public const string ChangeGroupOwner = "group_open_http_svc/change_group_owner";
    public const string GetGroupInfo = "group_open_http_svc/get_group_info";
    public const string GetGroupMemberInfo = "group_open_http_svc/get_group_member_info";
    public const string GroupMsgGetSimple = "group_open_http_svc/group_msg_get_simple";
    public const string AdminGetRoamMsg = "openim/admin_getroammsg";

    public static IReadOnlyList<string> All { get; } =
    [
        SendMsg, ImportMsg, AdminSetMsgRead, CreateGroup, DestroyGroup, ModifyGroupBaseInfo, AddGroupMember, DeleteGroupMember,
        SendGroupMsg, ImportGroup, ImportGroupMember, ImportGroupMsg, SetUnreadMsgNum, MultiAccountImport, AccountImport,
        AccountCheck, PortraitSet, FriendImport, AdminMsgWithdraw, GroupMsgRecall, ModifyC2CMsg, ModifyGroupMsg, FriendAdd, FriendDelete,
        ModifyGroupMemberInfo, ChangeGroupOwner, GetGroupInfo, GetGroupMemberInfo, GroupMsgGetSimple, AdminGetRoamMsg,
    ];
}
