package integrations

import (
	"net/netip"
	"testing"
)

func TestInternalAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "fe80::1": true, "fc00::1": true, "0.0.0.0": true, "100.64.0.1": true,
		"::ffff:127.0.0.1": true, "224.0.0.1": true,
		"20.190.128.1": false, "52.96.0.1": false, "2603:1030::1": false, "8.8.8.8": false,
	} {
		if got := internal(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: internal = %v, want %v", addr, got, want)
		}
	}
}
