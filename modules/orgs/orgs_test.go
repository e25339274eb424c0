package orgs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Contoso Ltd.":         "contoso-ltd",
		"  Fabrikam, Inc.  ":   "fabrikam-inc",
		"Ünïcode & Co":         "n-code-co",
		"---":                  "",
		"A":                    "a",
		"Alpha   Beta--Gamma_": "alpha-beta-gamma",
	} {
		require.Equal(t, want, Slugify(in), in)
	}
	long := Slugify("xabcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij")
	require.LessOrEqual(t, len(long), 64)
	require.Regexp(t, slugRe, long)
}

func TestRolePermissionsAreValidatedAndNormalized(t *testing.T) {
	r := &role{}
	name := "Lead"
	err := validateRole(r, RoleInput{Name: &name, Permissions: []string{PermUsersManage, PermFormsManage, PermUsersManage}})
	require.NoError(t, err)
	require.Equal(t, []string{PermFormsManage, PermUsersManage}, r.Permissions, "sorted, without duplicates")

	err = validateRole(r, RoleInput{Permissions: []string{"forms.manage", "admin"}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "roles.invalid")

	empty := " "
	require.Error(t, validateRole(r, RoleInput{Name: &empty}))
}

func TestDomains(t *testing.T) {
	for d, ok := range map[string]bool{"contoso.com": true, "mail.contoso.co.uk": true, "contoso": false, "-bad.com": false, "a..b": false} {
		require.Equal(t, ok, validDomain(d), d)
	}
	require.Equal(t, "contoso.com", normalizeDomain(" @Contoso.COM "))
}
