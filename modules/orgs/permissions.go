package orgs

// The fixed set of permissions a role can grant. Platform admins hold all of
// them everywhere; a role's permissions apply in its holder's organization.
const (
	PermWorkflowsRun       = "workflows.run"
	PermExecutionsViewAll  = "executions.view_all"
	PermFormsManage        = "forms.manage"
	PermConfigManage       = "config.manage"
	PermSecretsManage      = "secrets.manage"
	PermIntegrationsManage = "integrations.manage"
	PermUsersManage        = "users.manage"
	PermAuditView          = "audit.view"
)

// Permission describes one permission.
type Permission struct {
	Name        string `json:"name" example:"forms.manage"`
	Description string `json:"description"`
}

// Permissions lists every permission, in the order the UI shows them.
var Permissions = []Permission{
	{PermWorkflowsRun, "Run workflows and launch forms."},
	{PermExecutionsViewAll, "See every execution of the organization, not only one's own."},
	{PermFormsManage, "Create, edit and delete forms, and choose who may use them."},
	{PermConfigManage, "Read and change the organization's configuration values."},
	{PermSecretsManage, "Create, replace and delete the organization's secrets."},
	{PermIntegrationsManage, "Create, connect and delete OAuth integrations."},
	{PermUsersManage, "Invite, edit and deactivate the organization's users, and manage its roles."},
	{PermAuditView, "Read the organization's audit log."},
}

// IsPermission reports whether name is in the fixed set.
func IsPermission(name string) bool {
	for _, p := range Permissions {
		if p.Name == name {
			return true
		}
	}
	return false
}
