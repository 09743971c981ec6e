package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Fixed addresses of the simulated cluster network; nothing routes to them.
const (
	serviceCIDR         = "10.96.0.0/16"
	podCIDR             = "10.244.0.0/16"
	kwokAnnotation      = "kwok.x-k8s.io/node"
	kwokAnnotationValue = "fake"
	saIssuer            = "https://kubernetes.default.svc.cluster.local"
)

// cluster is one simulated control plane rooted at stateDir:
//
//	stateDir/kubeconfig   admin kubeconfig (client certificate of group system:masters)
//	stateDir/pki/         CA, serving and client certificates, ServiceAccount keys
//	stateDir/etcd/        etcd data
//	stateDir/logs/        one log per component
//	stateDir/cluster.json what `up` started: ports, pids, kubeconfig
type cluster struct {
	stateDir   string
	binDir     string
	components []*component
	info       clusterInfo
}

// clusterInfo is written to stateDir/cluster.json once the cluster is ready.
type clusterInfo struct {
	Pid          int            `json:"pid"`
	Kubeconfig   string         `json:"kubeconfig"`
	Server       string         `json:"server"`
	Ports        map[string]int `json:"ports"`
	StartSeconds float64        `json:"startSeconds"`
}

// writeAuditPolicy logs every request that is not a read (get, list, watch) at Metadata level,
// once, when the response is complete.
const writeAuditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: None
  verbs: ["get", "list", "watch"]
- level: Metadata
`

func (c *cluster) dir(parts ...string) string {
	return filepath.Join(append([]string{c.stateDir}, parts...)...)
}

// up starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// kwok in that order, waiting for each to be healthy, then waits until the
// controller-manager has created the default ServiceAccount (the proof that
// controllers and token signing work).
func (c *cluster) up(timeout time.Duration) error {
	began := time.Now()
	deadline := began.Add(timeout)
	ready := func(what string) {
		fmt.Fprintf(os.Stderr, "simctl: %-40s %5.1fs\n", what, time.Since(began).Seconds())
	}
	for _, binary := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"} {
		if _, err := os.Stat(filepath.Join(c.binDir, binary)); err != nil {
			return fmt.Errorf("binary %s missing in %s: run src/sim/build.sh first", binary, c.binDir)
		}
	}
	if _, err := os.Stat(filepath.Join(c.binDir, "kwok-stages.yaml")); err != nil {
		return fmt.Errorf("kwok-stages.yaml missing in %s: run src/sim/build.sh first", c.binDir)
	}
	// A cluster lives for one run: stale data, certificates and logs go.
	for _, d := range []string{"etcd", "pki", "logs", "tmp", "certs"} {
		if err := os.RemoveAll(c.dir(d)); err != nil {
			return err
		}
	}
	_ = os.Remove(c.dir("cluster.json"))
	for _, d := range []string{"logs", "tmp", "certs"} {
		if err := os.MkdirAll(c.dir(d), 0o755); err != nil {
			return err
		}
	}

	ports, err := freePorts(6)
	if err != nil {
		return err
	}
	port := map[string]int{"etcd": ports[0], "etcd-peer": ports[1], "kube-apiserver": ports[2],
		"kube-controller-manager": ports[3], "kube-scheduler": ports[4], "kwok": ports[5]}
	server := fmt.Sprintf("https://127.0.0.1:%d", port["kube-apiserver"])

	p, err := newPKI(c.dir("pki"))
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	loopback := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")}
	serving, err := p.issue("kube-apiserver", "kube-apiserver", nil, loopback,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"})
	if err != nil {
		return err
	}
	sa, err := p.serviceAccountKeys()
	if err != nil {
		return err
	}
	clients := map[string]struct {
		cn     string
		groups []string
	}{
		"admin":                   {"homecluster-sim-admin", []string{"system:masters"}},
		"kube-controller-manager": {"system:kube-controller-manager", nil},
		"kube-scheduler":          {"system:kube-scheduler", nil},
		"kwok":                    {"kwok-controller", []string{"system:masters"}},
		// The aggregation layer's client: apiserver -> extension apiservers.
		"front-proxy": {"front-proxy-client", nil},
	}
	kubeconfigs := map[string]string{}
	var admin certPair
	for name, id := range clients {
		pair, err := p.issue(name+"-client", id.cn, id.groups, nil, nil)
		if err != nil {
			return err
		}
		if name == "admin" {
			admin = pair
		}
		path := c.dir("pki", name+".kubeconfig")
		if name == "admin" {
			path = c.dir("kubeconfig")
		}
		if name == "front-proxy" {
			continue
		}
		if err := writeKubeconfig(path, server, p.path("ca.crt"), pair); err != nil {
			return err
		}
		kubeconfigs[name] = path
	}
	probe, err := newProber(p.path("ca.crt"), admin)
	if err != nil {
		return err
	}

	// Every write request, with the user who made it, one JSON line each in logs/audit.log:
	// what lets a test or the benchmark count one client's writes. Reads are not logged.
	auditPolicy := c.dir("pki", "audit-policy.yaml")
	if err := os.WriteFile(auditPolicy, []byte(writeAuditPolicy), 0o644); err != nil {
		return err
	}

	run := func(name string, args ...string) (*component, error) {
		comp, err := start(name, filepath.Join(c.binDir, name), args, c.dir("logs"), c.dir("tmp"))
		if err != nil {
			return nil, err
		}
		c.components = append(c.components, comp)
		return comp, nil
	}

	etcd, err := run("etcd",
		"--name=sim",
		"--data-dir="+c.dir("etcd"),
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", port["etcd"]),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", port["etcd"]),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", port["etcd-peer"]),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", port["etcd-peer"]),
		fmt.Sprintf("--initial-cluster=sim=http://127.0.0.1:%d", port["etcd-peer"]),
		// A test cluster: losing its data on a power cut is fine, waiting for fsync is not.
		"--unsafe-no-fsync",
		"--quota-backend-bytes=2147483648",
		"--log-level=warn",
	)
	if err != nil {
		return err
	}
	if err := waitOK(probe.insecure, fmt.Sprintf("http://127.0.0.1:%d/health", port["etcd"]), etcd, deadline); err != nil {
		return err
	}
	ready("etcd healthy")

	apiserver, err := run("kube-apiserver",
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", port["etcd"]),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port["kube-apiserver"]),
		"--tls-cert-file="+serving.Cert,
		"--tls-private-key-file="+serving.Key,
		"--client-ca-file="+p.path("ca.crt"),
		"--service-account-issuer="+saIssuer,
		"--service-account-key-file="+sa.Cert,
		"--service-account-signing-key-file="+sa.Key,
		"--service-cluster-ip-range="+serviceCIDR,
		// Aggregation layer, so that delegated authentication in the other components finds its CA.
		"--requestheader-client-ca-file="+p.path("ca.crt"),
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file="+p.path("front-proxy-client.crt"),
		"--proxy-client-key-file="+p.path("front-proxy-client.key"),
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		"--allow-privileged=true",
		// The `kubernetes` Service cannot have a loopback endpoint; nothing in the
		// simulated cluster dials it, so the endpoint reconciler is off.
		"--endpoint-reconciler-type=none",
		"--cert-dir="+c.dir("certs"),
		"--profiling=false",
		"--audit-policy-file="+auditPolicy,
		"--audit-log-path="+c.dir("logs", "audit.log"),
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
		"--v=1",
	)
	if err != nil {
		return err
	}
	if err := waitOK(probe.admin, server+"/readyz", apiserver, deadline); err != nil {
		return err
	}
	ready("kube-apiserver ready")

	controllerManager, err := run("kube-controller-manager",
		"--kubeconfig="+kubeconfigs["kube-controller-manager"],
		"--authentication-kubeconfig="+kubeconfigs["kube-controller-manager"],
		"--authorization-kubeconfig="+kubeconfigs["kube-controller-manager"],
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port["kube-controller-manager"]),
		"--cert-dir="+c.dir("certs"),
		"--controllers=*",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file="+sa.Key,
		"--root-ca-file="+p.path("ca.crt"),
		"--cluster-signing-cert-file="+p.path("ca.crt"),
		"--cluster-signing-key-file="+p.path("ca.key"),
		// Its default, /usr/libexec/kubernetes/kubelet-plugins/volume/exec, is on the host: the
		// controller-manager creates it at start, and the host must be left as it was found.
		"--flex-volume-plugin-dir="+c.dir("flexvolume"),
		"--service-cluster-ip-range="+serviceCIDR,
		"--leader-elect=false",
		"--profiling=false",
		"--v=1",
	)
	if err != nil {
		return err
	}
	scheduler, err := run("kube-scheduler",
		"--kubeconfig="+kubeconfigs["kube-scheduler"],
		"--authentication-kubeconfig="+kubeconfigs["kube-scheduler"],
		"--authorization-kubeconfig="+kubeconfigs["kube-scheduler"],
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port["kube-scheduler"]),
		"--cert-dir="+c.dir("certs"),
		"--leader-elect=false",
		"--profiling=false",
		"--v=1",
	)
	if err != nil {
		return err
	}
	kwok, err := run("kwok",
		"--kubeconfig="+kubeconfigs["kwok"],
		"--config="+filepath.Join(c.binDir, "kwok-stages.yaml"),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+kwokAnnotation+"="+kwokAnnotationValue,
		"--cidr="+podCIDR,
		"--node-lease-duration-seconds=40",
		fmt.Sprintf("--server-address=127.0.0.1:%d", port["kwok"]),
	)
	if err != nil {
		return err
	}
	if err := waitOK(probe.insecure, fmt.Sprintf("https://127.0.0.1:%d/healthz", port["kube-controller-manager"]), controllerManager, deadline); err != nil {
		return err
	}
	ready("kube-controller-manager healthy")
	if err := waitOK(probe.insecure, fmt.Sprintf("https://127.0.0.1:%d/healthz", port["kube-scheduler"]), scheduler, deadline); err != nil {
		return err
	}
	ready("kube-scheduler healthy")
	if err := waitOK(probe.insecure, fmt.Sprintf("http://127.0.0.1:%d/healthz", port["kwok"]), kwok, deadline); err != nil {
		return err
	}
	ready("kwok healthy")
	if err := waitOK(probe.admin, server+"/api/v1/namespaces/default/serviceaccounts/default", controllerManager, deadline); err != nil {
		return fmt.Errorf("the controller-manager did not create the default ServiceAccount: %w", err)
	}
	ready("default ServiceAccount created")

	c.info = clusterInfo{
		Pid:          os.Getpid(),
		Kubeconfig:   c.dir("kubeconfig"),
		Server:       server,
		Ports:        port,
		StartSeconds: time.Since(began).Seconds(),
	}
	return nil
}

// writeInfo publishes stateDir/cluster.json; its presence means "ready".
func (c *cluster) writeInfo() error {
	data, err := json.MarshalIndent(c.info, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.dir("cluster.json.tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, c.dir("cluster.json"))
}

// down stops the components in reverse order of start.
func (c *cluster) down() {
	for i := len(c.components) - 1; i >= 0; i-- {
		c.components[i].stop(10 * time.Second)
	}
	c.components = nil
	_ = os.Remove(c.dir("cluster.json"))
	_ = os.RemoveAll(c.dir("tmp"))
}

// failed returns the first component that exited on its own, if any.
func (c *cluster) failed() *component {
	for _, comp := range c.components {
		if !comp.running() {
			return comp
		}
	}
	return nil
}

func writeKubeconfig(path, server, caFile string, client certPair) error {
	read := func(f string) (string, error) {
		b, err := os.ReadFile(f)
		return base64.StdEncoding.EncodeToString(b), err
	}
	ca, err := read(caFile)
	if err != nil {
		return err
	}
	cert, err := read(client.Cert)
	if err != nil {
		return err
	}
	key, err := read(client.Key)
	if err != nil {
		return err
	}
	content := "apiVersion: v1\nkind: Config\n" +
		"clusters:\n- name: homecluster-sim\n  cluster:\n    server: " + server + "\n    certificate-authority-data: " + ca + "\n" +
		"users:\n- name: homecluster-sim-admin\n  user:\n    client-certificate-data: " + cert + "\n    client-key-data: " + key + "\n" +
		"contexts:\n- name: homecluster-sim\n  context:\n    cluster: homecluster-sim\n    user: homecluster-sim-admin\n" +
		"current-context: homecluster-sim\n"
	return os.WriteFile(path, []byte(content), 0o600)
}
