package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// nodeSpec is one fake Node: `name=address[:role[,role...]]` on the command line.
type nodeSpec struct {
	Name    string
	Address string
	Roles   []string
}

func parseNodeSpec(s string) (nodeSpec, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return nodeSpec{}, fmt.Errorf("--node %q: want NAME=ADDRESS[:ROLE,...], e.g. master-1=192.168.1.111:master", s)
	}
	address, roles, _ := strings.Cut(rest, ":")
	if net.ParseIP(address) == nil {
		return nodeSpec{}, fmt.Errorf("--node %q: %q is not an IP address", s, address)
	}
	spec := nodeSpec{Name: name, Address: address}
	if roles != "" {
		spec.Roles = strings.Split(roles, ",")
	}
	return spec, nil
}

// capacity of a fake node by role: the hardware of the documented home cluster
// (docs/testing.md), the same table as dev.homecluster.sim.FakeNode. The first
// role in this order that the node has wins; no known role means a worker.
var capacityByRole = []struct {
	role, cpu, memory string
}{
	{"worker", "4", "16Gi"},
	{"backup", "2", "8Gi"},
	{"master", "4", "4Gi"},
}

func capacityOf(roles []string) (cpu, memory string) {
	for _, c := range capacityByRole {
		for _, r := range roles {
			if r == c.role {
				return c.cpu, c.memory
			}
		}
	}
	return "4", "16Gi"
}

// nodeObject is the Node a kubelet on that machine would register, plus the
// kwok annotation that hands it to the kwok controller.
func nodeObject(n nodeSpec) map[string]any {
	labels := map[string]string{
		"kubernetes.io/hostname":  n.Name,
		"kubernetes.io/os":        "linux",
		"kubernetes.io/arch":      "amd64",
		"beta.kubernetes.io/os":   "linux",
		"beta.kubernetes.io/arch": "amd64",
	}
	for _, r := range n.Roles {
		labels["node-role.kubernetes.io/"+r] = ""
	}
	cpu, memory := capacityOf(n.Roles)
	resources := map[string]string{"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name":        n.Name,
			"labels":      labels,
			"annotations": map[string]string{kwokAnnotation: kwokAnnotationValue, "node.alpha.kubernetes.io/ttl": "0"},
		},
		"status": map[string]any{
			"addresses": []map[string]string{
				{"type": "InternalIP", "address": n.Address},
				{"type": "Hostname", "address": n.Name},
			},
			"capacity":    resources,
			"allocatable": resources,
		},
	}
}

// createNodes creates the fake Nodes and waits until kwok reports each Ready.
func createNodes(client *http.Client, server string, nodes []nodeSpec, deadline time.Time) error {
	for _, n := range nodes {
		body, err := json.Marshal(nodeObject(n))
		if err != nil {
			return err
		}
		resp, err := client.Post(server+"/api/v1/nodes", "application/json", bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("create node %s: %w", n.Name, err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create node %s: HTTP %d: %s", n.Name, resp.StatusCode, msg)
		}
	}
	for _, n := range nodes {
		for {
			ready, err := nodeReady(client, server, n.Name)
			if err != nil {
				return err
			}
			if ready {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %s not Ready in time: is kwok running? see logs/kwok.log", n.Name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func nodeReady(client *http.Client, server, name string) (bool, error) {
	resp, err := client.Get(server + "/api/v1/nodes/" + name)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var node struct {
		Status struct {
			Conditions []struct{ Type, Status string } `json:"conditions"`
		} `json:"status"`
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("get node %s: HTTP %d", name, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&node); err != nil {
		return false, err
	}
	for _, c := range node.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True", nil
		}
	}
	return false, nil
}
