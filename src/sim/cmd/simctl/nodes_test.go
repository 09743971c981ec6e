package main

import (
	"strings"
	"testing"
)

func TestParseNodeSpec(t *testing.T) {
	n, err := parseNodeSpec("master-1=192.168.1.111:master,worker")
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != "master-1" || n.Address != "192.168.1.111" || strings.Join(n.Roles, ",") != "master,worker" {
		t.Fatalf("got %+v", n)
	}
	for _, bad := range []string{"master-1", "=1.2.3.4", "m=not-an-ip:master"} {
		if _, err := parseNodeSpec(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestCapacityByRole(t *testing.T) {
	cases := []struct {
		roles       []string
		cpu, memory string
	}{
		{[]string{"master"}, "4", "4Gi"},
		{[]string{"worker"}, "4", "16Gi"},
		{[]string{"backup"}, "2", "8Gi"},
		{[]string{"master", "worker"}, "4", "16Gi"},
		{nil, "4", "16Gi"},
	}
	for _, c := range cases {
		cpu, memory := capacityOf(c.roles)
		if cpu != c.cpu || memory != c.memory {
			t.Errorf("%v: got %s/%s, want %s/%s", c.roles, cpu, memory, c.cpu, c.memory)
		}
	}
}

func TestNodeObjectIsHandedToKwok(t *testing.T) {
	obj := nodeObject(nodeSpec{Name: "backup-1", Address: "192.168.1.140", Roles: []string{"backup"}})
	meta := obj["metadata"].(map[string]any)
	if meta["annotations"].(map[string]string)[kwokAnnotation] != kwokAnnotationValue {
		t.Fatalf("no kwok annotation: %v", meta)
	}
	labels := meta["labels"].(map[string]string)
	if labels["kubernetes.io/hostname"] != "backup-1" {
		t.Fatalf("labels: %v", labels)
	}
	if _, ok := labels["node-role.kubernetes.io/backup"]; !ok {
		t.Fatalf("no role label: %v", labels)
	}
}
