namespace SyncGateway.Im;

/// <summary>One IM REST API: <c>v4/{Service}/{Command}</c> and its documented default rate limit.</summary>
internal sealed record ImApi(string Service, string Command, int DefaultCallsPerSecond)
{
    public string Path => $"v4/{Service}/{Command}";

    public override string ToString() => $"{Service}/{Command}";

    public static readonly ImApi SendMsg = new("openim", "sendmsg", 200);
    public static readonly ImApi ImportMsg = new("openim", "importmsg", 200);
    public static readonly ImApi AdminSetMsgRead = new("openim", "admin_set_msg_read", 200);
    public static readonly ImApi CreateGroup = new("group_open_http_svc", "create_group", 200);
    public static readonly ImApi DestroyGroup = new("group_open_http_svc", "destroy_group", 200);
    public static readonly ImApi ModifyGroupBaseInfo = new("group_open_http_svc", "modify_group_base_info", 200);
    public static readonly ImApi AddGroupMember = new("group_open_http_svc", "add_group_member", 200);
    public static readonly ImApi DeleteGroupMember = new("group_open_http_svc", "delete_group_member", 200);
    public static readonly ImApi SendGroupMsg = new("group_open_http_svc", "send_group_msg", 200);
    public static readonly ImApi ImportGroup = new("group_open_http_svc", "import_group", 200);
    public static readonly ImApi ImportGroupMember = new("group_open_http_svc", "import_group_member", 200);
    public static readonly ImApi ImportGroupMsg = new("group_open_http_svc", "import_group_msg", 200);
    public static readonly ImApi SetUnreadMsgNum = new("group_open_http_svc", "set_unread_msg_num", 200);
    public static readonly ImApi MultiAccountImport = new("im_open_login_svc", "multiaccount_import", 100);
    public static readonly ImApi AccountImport = new("im_open_login_svc", "account_import", 200);
    public static readonly ImApi AccountCheck = new("im_open_login_svc", "account_check", 100);
    public static readonly ImApi PortraitSet = new("profile", "portrait_set", 200);
    public static readonly ImApi FriendImport = new("sns", "friend_import", 200);
    public static readonly ImApi AdminMsgWithdraw = new("openim", "admin_msgwithdraw", 200);
    public static readonly ImApi GroupMsgRecall = new("group_open_http_svc", "group_msg_recall", 200);
    public static readonly ImApi ModifyC2CMsg = new("openim", "modify_c2c_msg", 200);
    public static readonly ImApi ModifyGroupMsg = new("openim", "modify_group_msg", 200);
    public static readonly ImApi FriendAdd = new("sns", "friend_add", 200);
    public static readonly ImApi FriendDelete = new("sns", "friend_delete", 200);
    public static readonly ImApi ModifyGroupMemberInfo = new("group_open_http_svc", "modify_group_member_info", 200);
    public static readonly ImApi ChangeGroupOwner = new("group_open_http_svc", "change_group_owner", 200);
    public static readonly ImApi GetGroupInfo = new("group_open_http_svc", "get_group_info", 200);
    public static readonly ImApi GetGroupMemberInfo = new("group_open_http_svc", "get_group_member_info", 200);
    public static readonly ImApi GroupMsgGetSimple = new("group_open_http_svc", "group_msg_get_simple", 200);
    public static readonly ImApi AdminGetRoamMsg = new("openim", "admin_getroammsg", 200);
}
